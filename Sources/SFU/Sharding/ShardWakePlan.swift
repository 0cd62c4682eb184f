/// When a media shard's loop next wakes for its timers, and which tick a peer's next visit
/// falls on. Pure arithmetic on tick numbers (one tick = `MediaShard.tickInterval`); the shard
/// arms one scheduled callback for the tick this returns instead of a repeating 10 ms timer, so
/// an idle shard does not wake 100 times a second and a quiet one wakes only when a peer is due.
///
/// Visits with a cadence longer than one tick (transport-cc feedback every 5 ticks, reports once
/// a second) are rounded up to a multiple of `quantum`: peers that fall due within the same
/// 50 ms then share one wakeup, so a shard with a few dozen quiet peers wakes at most 20 times
/// a second for them, not once per peer per second at scattered ticks.
struct ShardWakePlan {
    /// Ticks per shared wakeup slot for visits that need not be exact (50 ms).
    static let quantum: Int64 = 5

    /// The tick of a peer's next visit after `tick`: `cadence` ticks on, but no later than its
    /// report tick; with a cadence over one tick, rounded up to the next multiple of `quantum`.
    static func nextVisit(after tick: Int64, cadence: Int, reportTick: Int64) -> Int64 {
        let target = max(tick + 1, min(tick + Int64(max(cadence, 1)), reportTick))
        guard cadence > 1 else { return target }
        return roundUp(target)
    }

    /// The tick the shard must next wake at: its earliest scheduled visit or its housekeeping
    /// (rooms, placements), whichever comes first; never earlier than `tick + 1`. (A recording
    /// tap's batch arms the next tick itself when it starts: `MediaContext.queueTapFlush`.)
    static func nextWake(after tick: Int64, firstVisit: Int64?, housekeeping: Int64) -> Int64 {
        max(min(housekeeping, firstVisit ?? housekeeping), tick + 1)
    }

    /// The tick number at `elapsedNanoseconds` since the shard's epoch.
    static func tick(atElapsed elapsedNanoseconds: Int64, tickNanoseconds: Int64) -> Int64 {
        max(0, elapsedNanoseconds) / tickNanoseconds
    }

    static func roundUp(_ tick: Int64) -> Int64 {
        let remainder = tick % quantum
        return remainder == 0 ? tick : tick + quantum - remainder
    }
}
