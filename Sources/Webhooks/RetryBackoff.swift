/// Exponential backoff between delivery attempts: `initial` after the first failure, doubling per
/// failure up to `maximum`, plus up to 10 % jitter so many lanes retrying together spread out.
struct RetryBackoff: Equatable, Sendable {
    var initial: Double
    var maximum: Double

    /// Seconds to wait after `failures` consecutive failures (≥ 1). `jitter` is a number in [0, 1).
    func delay(afterFailures failures: Int, jitter: Double) -> Double {
        let first = max(initial, 0.001)
        let cap = max(maximum, first)
        let exponent = Double(min(max(failures, 1) - 1, 62))
        let base = min(cap, first * pow2(exponent))
        let spread = min(max(jitter, 0), 1)
        return base * (1 + 0.1 * spread)
    }

    private func pow2(_ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 { result *= 2; remaining -= 1 }
        return result
    }
}
