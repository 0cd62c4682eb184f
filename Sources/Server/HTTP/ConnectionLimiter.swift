import NIOConcurrencyHelpers
import NIOCore

/// The shell of `ConnectionTable`: one per listener, shared by every event loop. It holds the
/// channels, closes the idle one the table gives up at the cap, and forgets a connection when
/// its channel closes.
final class ConnectionLimiter: Sendable {
    private struct State {
        var table: ConnectionTable
        var channels: [ConnectionTable.ID: any Channel] = [:]
    }

    private let state: NIOLockedValueBox<State>
    let counters: HTTPConnectionCounters
    var capacity: Int { state.withLockedValue { $0.table.capacity } }

    init(capacity: Int, counters: HTTPConnectionCounters) {
        state = NIOLockedValueBox(State(table: ConnectionTable(capacity: capacity)))
        self.counters = counters
    }

    /// Registers an accepted channel; nil when it must be refused (the cap is held by busy
    /// connections).
    func open(_ channel: any Channel) -> ConnectionTable.ID? {
        let now = NIODeadline.now().uptimeNanoseconds
        let (admission, evicted, held): (ConnectionTable.Admission, (any Channel)?, Int) = state.withLockedValue { state in
            let admission = state.table.admit(now: now)
            var evicted: (any Channel)?
            switch admission {
            case .admitted(let id):
                state.channels[id] = channel
            case .admittedEvicting(let id, let old):
                state.channels[id] = channel
                evicted = state.channels.removeValue(forKey: old)
            case .refused:
                break
            }
            return (admission, evicted, state.table.count)
        }
        counters.setOpen(held)
        switch admission {
        case .admitted(let id):
            forgetOnClose(channel, id: id)
            return id
        case .admittedEvicting(let id, _):
            counters.count(.evictedAtCap)
            evicted?.close(promise: nil)
            forgetOnClose(channel, id: id)
            return id
        case .refused:
            counters.count(.refusedAtCap)
            return nil
        }
    }

    func markBusy(_ id: ConnectionTable.ID) {
        state.withLockedValue { $0.table.markBusy(id) }
    }

    func markIdle(_ id: ConnectionTable.ID) {
        let now = NIODeadline.now().uptimeNanoseconds
        state.withLockedValue { $0.table.markIdle(id, now: now) }
    }

    private func forgetOnClose(_ channel: any Channel, id: ConnectionTable.ID) {
        channel.closeFuture.whenComplete { [self] _ in
            let held = state.withLockedValue { state in
                state.table.remove(id)
                state.channels.removeValue(forKey: id)
                return state.table.count
            }
            counters.setOpen(held)
        }
    }
}

/// The connection's slot in the `ConnectionLimiter`, attached to its channel so the HTTP
/// handlers further up can mark it busy or idle.
struct ConnectionSlot: Sendable {
    let id: ConnectionTable.ID
    let limiter: ConnectionLimiter
}
