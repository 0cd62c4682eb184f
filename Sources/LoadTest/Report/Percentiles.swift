/// Nearest-rank percentiles (the smallest value with at least p % of the samples at or below it).
public enum Percentiles {
    /// nil for no samples; `p` in 0...100.
    public static func value(_ p: Double, of samples: [Double]) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((min(max(p, 0), 100) / 100 * Double(sorted.count)).rounded(.up))
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }
}
