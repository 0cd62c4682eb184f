/// Which HTTP/WebSocket connections are held, and which of them may be given up when a new one
/// arrives at the cap (`[server] max_connections`). A state machine without I/O: the shell
/// (`ConnectionLimiter`) closes what it is told to.
///
/// A connection is *idle* while it waits for a request head (just accepted, or kept alive
/// between requests) and *busy* from a complete head on: a request in flight, or an upgraded
/// WebSocket. At the cap a new connection takes the place of the oldest idle one, so a flood of
/// idle connections cannot keep `/healthz` or a join out; only when every held connection is
/// busy is the new one refused.
struct ConnectionTable {
    typealias ID = UInt64

    enum Admission: Equatable {
        case admitted(ID)
        /// Admitted in the place of an idle connection, which the caller must close.
        case admittedEvicting(ID, evicted: ID)
        case refused
    }

    let capacity: Int
    private var nextID: ID = 1
    /// Connection → when it became idle (monotonic nanoseconds); nil while busy.
    private var idleSince: [ID: UInt64?] = [:]

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { idleSince.count }

    /// A new connection, idle from `now`.
    mutating func admit(now: UInt64) -> Admission {
        if idleSince.count < capacity {
            let id = take()
            idleSince[id] = now
            return .admitted(id)
        }
        guard let oldest = oldestIdle() else { return .refused }
        idleSince.removeValue(forKey: oldest)
        let id = take()
        idleSince[id] = now
        return .admittedEvicting(id, evicted: oldest)
    }

    /// A request head is complete (a request in flight, or an upgrade).
    mutating func markBusy(_ id: ID) {
        guard idleSince.keys.contains(id) else { return }
        idleSince[id] = .some(nil)
    }

    /// A response is complete and the connection waits for the next request.
    mutating func markIdle(_ id: ID, now: UInt64) {
        guard idleSince.keys.contains(id) else { return }
        idleSince[id] = now
    }

    /// The connection closed (or was evicted); unknown ids are ignored.
    mutating func remove(_ id: ID) {
        idleSince.removeValue(forKey: id)
    }

    func isIdle(_ id: ID) -> Bool {
        idleSince[id].map { $0 != nil } ?? false
    }

    private mutating func take() -> ID {
        defer { nextID += 1 }
        return nextID
    }

    private func oldestIdle() -> ID? {
        var best: (id: ID, since: UInt64)?
        for (id, since) in idleSince {
            guard let since else { continue }
            if best == nil || since < best!.since || (since == best!.since && id < best!.id) { best = (id, since) }
        }
        return best?.id
    }
}
