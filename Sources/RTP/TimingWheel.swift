/// A timing wheel (Varghese & Lauck) of 1-tick slots, for many timers driven by one shared
/// clock: the load tester's outgoing streams (a slot per millisecond) and a media shard's peer
/// connections (a slot per 10 ms tick), so a tick visits only what is due instead of
/// everything. Each slot is an intrusive doubly linked list threaded through two arrays (an id
/// is in at most one slot at a time), so scheduling, unscheduling and collecting are O(1) per
/// entry and a steady run allocates nothing. A pure data structure: the caller supplies ticks.
public struct TimingWheel: Sendable {
    /// Number of slots (a power of two); nothing may be scheduled further ahead than this.
    public let slotCount: Int
    private let mask: Int64
    /// First id of each slot's list, -1 when empty.
    private var heads: [Int32]
    /// The id after each id in its slot's list, -1 at the end; -2 while not scheduled.
    private var next: [Int32] = []
    /// The id before each id in its slot's list, -1 at the head.
    private var previous: [Int32] = []
    /// The slot each scheduled id is in.
    private var slotOf: [Int32] = []
    /// The next tick `advance` will collect.
    public private(set) var nextTick: Int64
    public private(set) var scheduledCount = 0

    public init(slotCount: Int = 256, startTick: Int64 = 0) {
        var count = 1
        while count < max(2, slotCount) { count <<= 1 }
        self.slotCount = count
        mask = Int64(count - 1)
        heads = [Int32](repeating: -1, count: count)
        nextTick = startTick
    }

    public func isScheduled(_ id: Int32) -> Bool {
        id >= 0 && Int(id) < next.count && next[Int(id)] != -2
    }

    /// Puts `id` (0 or more) in the slot of `tick`, clamped to the window
    /// [nextTick, nextTick + slotCount - 1] (a tick already past fires on the next advance).
    /// An id already scheduled stays where it is (see `reschedule`).
    public mutating func schedule(_ id: Int32, at tick: Int64) {
        guard id >= 0 else { return }
        let index = Int(id)
        if index >= next.count {
            let grow = index - next.count + 1
            next.append(contentsOf: repeatElement(-2, count: grow))
            previous.append(contentsOf: repeatElement(-1, count: grow))
            slotOf.append(contentsOf: repeatElement(-1, count: grow))
        }
        guard next[index] == -2 else { return }
        let clamped = min(max(tick, nextTick), nextTick + Int64(slotCount) - 1)
        let slot = Int(clamped & mask)
        let head = heads[slot]
        next[index] = head
        previous[index] = -1
        if head >= 0 { previous[Int(head)] = id }
        heads[slot] = id
        slotOf[index] = Int32(slot)
        scheduledCount += 1
    }

    /// Takes `id` out of the wheel, wherever it is; nothing if it is not scheduled.
    public mutating func unschedule(_ id: Int32) {
        guard isScheduled(id) else { return }
        let index = Int(id)
        let following = next[index]
        let before = previous[index]
        if before >= 0 { next[Int(before)] = following } else { heads[Int(slotOf[index])] = following }
        if following >= 0 { previous[Int(following)] = before }
        next[index] = -2
        previous[index] = -1
        scheduledCount -= 1
    }

    /// Moves `id` to the slot of `tick`, scheduled or not.
    public mutating func reschedule(_ id: Int32, at tick: Int64) {
        unschedule(id)
        schedule(id, at: tick)
    }

    /// The earliest tick, from `nextTick` on and fewer than `limit` ticks ahead, whose slot holds
    /// an id; nil if none does. Scans at most `limit` slots (capped at one lap).
    public func firstScheduledTick(within limit: Int) -> Int64? {
        guard scheduledCount > 0 else { return nil }
        for offset in 0..<min(limit, slotCount) {
            let tick = nextTick + Int64(offset)
            if heads[Int(tick & mask)] >= 0 { return tick }
        }
        return nil
    }

    /// Moves every id scheduled for a tick up to and including `tick` into `due` (slot by
    /// slot in tick order) and removes them from the wheel (reschedule what should fire again).
    /// After a stall longer than the wheel, one lap is collected.
    public mutating func advance(through tick: Int64, into due: inout [Int32]) {
        guard tick >= nextTick else { return }
        let end = min(tick, nextTick + Int64(slotCount) - 1)
        var current = nextTick
        while current <= end {
            let slot = Int(current & mask)
            var id = heads[slot]
            heads[slot] = -1
            while id >= 0 {
                let index = Int(id)
                let following = next[index]
                next[index] = -2
                previous[index] = -1
                due.append(id)
                scheduledCount -= 1
                id = following
            }
            current += 1
        }
        nextTick = tick + 1
    }
}
