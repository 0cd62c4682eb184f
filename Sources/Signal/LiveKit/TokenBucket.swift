/// A token bucket: `burst` actions at once, refilled at `ratePerSecond`. Pure: the caller
/// passes the clock. A rate of 0 never refuses (the limit is off).
struct TokenBucket: Equatable {
    let ratePerSecond: Double
    let burst: Double
    private(set) var tokens: Double
    private var last: Double?

    init(ratePerSecond: Double, burst: Double) {
        self.ratePerSecond = ratePerSecond
        self.burst = max(1, burst)
        tokens = max(1, burst)
    }

    /// Spends one token if there is one; false means the action is over the limit.
    mutating func take(now: Double) -> Bool {
        guard ratePerSecond > 0 else { return true }
        if let last, now > last { tokens = min(burst, tokens + (now - last) * ratePerSecond) }
        last = max(last ?? now, now)
        // A hair of slack, so that refills summed in floating point still make a whole token.
        guard tokens >= 1 - 1e-9 else { return false }
        tokens = max(0, tokens - 1)
        return true
    }
}
