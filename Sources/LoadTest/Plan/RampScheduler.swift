/// When to start each join: `rate` joins per second, the first at once, evenly spaced after
/// it, never more than `total`. A pure state machine; the caller supplies the clock.
public struct RampScheduler: Sendable {
    public let rate: Double
    public let total: Int
    public private(set) var started = 0
    private var origin: Double?

    public init(rate: Double, total: Int) {
        self.rate = max(rate, 1e-3)
        self.total = max(0, total)
    }

    public var isFinished: Bool { started >= total }

    /// How many joins to start now (the k-th join, k from 0, is due at origin + k / rate).
    public mutating func due(now: Double) -> Int {
        guard !isFinished else { return 0 }
        if origin == nil { origin = now }
        let elapsed = max(0, now - origin!)
        // A nanosecond of slack: 100.1 - 100 is not quite 0.1 in binary.
        let allowed = min(total, Int((elapsed * rate + 1e-9).rounded(.down)) + 1)
        let count = max(0, allowed - started)
        started += count
        return count
    }

    /// Seconds from now until the next join is due (0 if one is due now, nil when finished).
    public func delayUntilNext(now: Double) -> Double? {
        guard !isFinished else { return nil }
        guard let origin else { return 0 }
        return max(0, origin + Double(started) / rate - now)
    }

    /// Seconds the whole ramp takes.
    public var rampSeconds: Double { total > 1 ? Double(total - 1) / rate : 0 }
}
