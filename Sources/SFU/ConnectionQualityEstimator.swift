/// LiveKit's ConnectionQuality enum (livekit_models.proto): POOR = 0, GOOD = 1, EXCELLENT = 2, LOST = 3.
public enum ConnectionQualityRating: Int, Sendable {
    case poor = 0, good = 1, excellent = 2, lost = 3
}

/// Connection quality from per-interval receive statistics, scored like a call's mean opinion
/// score with a simplified ITU-T G.107 E-model: a transmission rating R from the effective latency
/// (half the round trip, plus twice the jitter, plus 10 ms of processing) and the loss
/// percentage, mapped to a 1...5 MOS (G.107 Annex B, B.4).
///
/// Quality drops at once and recovers halfway per interval, so one clean interval after a bad
/// one does not flip the rating straight back to excellent.
public struct ConnectionQualityEstimator: Sendable {
    public private(set) var rating: ConnectionQualityRating = .excellent
    /// MOS-like, 1 (bad) ... ~4.4 (best this model gives).
    public private(set) var score: Float
    /// Time of the last interval that expected packets, if any.
    public private(set) var lastUpdate: Double?

    /// MOS above this is excellent, above `goodScore` good, otherwise poor.
    static let excellentScore: Float = 4.1
    static let goodScore: Float = 3.6
    /// Loss impairment per lost percent (R points).
    static let lossImpairmentPerPercent = 2.5
    /// How far towards a better score one interval moves (drops apply fully).
    static let recoveryFraction: Float = 0.5

    public init() {
        score = Self.mos(lossPercent: 0, jitter: 0, rtt: 0)
    }

    /// Feed an interval's stats: packets expected/lost in the interval, jitter in seconds, rtt in
    /// seconds if known. An interval that expected nothing (muted, paused) keeps the rating; one
    /// that expected packets but received none is `.lost`.
    public mutating func update(expected: UInt64, lost: UInt64, jitter: Double, rtt: Double?, now: Double) {
        guard expected > 0 else { return }
        lastUpdate = now
        let lostCount = min(lost, expected)
        if lostCount == expected {
            rating = .lost
            score = 1
            return
        }
        let lossPercent = Double(lostCount) / Double(expected) * 100
        let sample = Self.mos(lossPercent: lossPercent, jitter: jitter, rtt: rtt ?? 0)
        if sample < score {
            score = sample
        } else {
            score += (sample - score) * Self.recoveryFraction
        }
        rating = Self.rating(for: score)
    }

    static func rating(for score: Float) -> ConnectionQualityRating {
        if score > excellentScore { return .excellent }
        if score > goodScore { return .good }
        return .poor
    }

    /// Simplified E-model. Times in seconds; non-finite or negative inputs count as zero.
    static func mos(lossPercent: Double, jitter: Double, rtt: Double) -> Float {
        func ms(_ s: Double) -> Double { s.isFinite && s > 0 ? min(s, 100) * 1000 : 0 }
        let latency = ms(rtt) / 2 + 2 * ms(jitter) + 10
        // Delay impairment: gentle below 160 ms, steep beyond (the usual G.107 simplification).
        var r = 93.2 - (latency < 160 ? latency / 40 : (latency - 120) / 10)
        let loss = lossPercent.isFinite ? min(max(lossPercent, 0), 100) : 100
        r -= lossImpairmentPerPercent * loss
        // G.107 Annex B (B-4): R to MOS.
        if r <= 0 { return 1 }
        if r >= 100 { return 4.5 }
        let mos = 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r)
        return Float(min(max(mos, 1), 4.5))
    }
}
