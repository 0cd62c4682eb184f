import NIOCore

/// Matches replies to commands on one connection, without I/O.
///
/// Redis answers the commands of one connection in the order it received them, however many are in
/// flight ("Request/Response protocols and round-trip time" in
/// https://redis.io/docs/latest/develop/use/pipelining/), so the reply that arrives belongs to the
/// oldest command still waiting. A command that times out gives up its waiter but keeps its place:
/// its late reply is then dropped instead of being handed to the command behind it.
struct RedisReplyQueue<Waiter> {
    private struct Entry {
        var id: UInt64
        /// nil once the command timed out: its reply, when it comes, is dropped.
        var waiter: Waiter?
    }

    enum Delivery {
        /// The reply answers this waiter.
        case waiter(Waiter)
        /// The reply answers a command that already timed out.
        case abandoned
        /// No command is waiting: the server sent something unasked for.
        case unexpected
    }

    private var entries = CircularBuffer<Entry>()
    /// Timed-out commands whose replies are still to come.
    private(set) var abandonedCount = 0

    var isEmpty: Bool { entries.isEmpty }
    /// Commands sent and not answered (timed-out ones included).
    var count: Int { entries.count }

    mutating func append(id: UInt64, waiter: Waiter) {
        entries.append(Entry(id: id, waiter: waiter))
    }

    /// The oldest command takes the reply that just arrived.
    mutating func popReply() -> Delivery {
        guard let entry = entries.popFirst() else { return .unexpected }
        guard let waiter = entry.waiter else {
            abandonedCount -= 1
            return .abandoned
        }
        return .waiter(waiter)
    }

    /// The command `id` timed out: returns its waiter (to fail it), or nil if it was answered
    /// already or has timed out before.
    mutating func abandon(id: UInt64) -> Waiter? {
        guard let index = entries.firstIndex(where: { $0.id == id }), let waiter = entries[index].waiter else { return nil }
        entries[index].waiter = nil
        abandonedCount += 1
        return waiter
    }

    /// The connection is gone: every waiter still waiting, oldest first.
    mutating func removeAll() -> [Waiter] {
        let waiters = entries.compactMap(\.waiter)
        entries.removeAll()
        abandonedCount = 0
        return waiters
    }
}
