/// Capped exponential backoff between connection attempts: `initial` after the first failure,
/// doubling per failure up to `maximum`, plus up to 10 % jitter so that nodes reconnecting to a
/// restarted Redis together spread out.
struct ReconnectBackoff: Equatable, Sendable {
    var initial: Double
    var maximum: Double

    /// Seconds to wait after `failures` consecutive failures (≥ 1). `jitter` is a number in [0, 1).
    func delay(afterFailures failures: Int, jitter: Double) -> Double {
        let first = max(initial, 0.001)
        let cap = max(maximum, first)
        var base = first
        var doublings = max(failures, 1) - 1
        while doublings > 0, base < cap {
            base *= 2
            doublings -= 1
        }
        return min(base, cap) * (1 + 0.1 * min(max(jitter, 0), 1))
    }
}
