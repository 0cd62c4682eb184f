import NIOConcurrencyHelpers

/// Tasks with an owner. Each is held until it ends, so `count` says what is still running and
/// `shutdown` can wait for (or cancel) what is left; once shut down, nothing new starts. For
/// the short background work that would otherwise be a fire-and-forget `Task { }`: signing a
/// token, ending a recording, telling another node.
public final class OwnedTasks: Sendable {
    private struct State {
        var next: UInt64 = 0
        var running: [UInt64: Task<Void, Never>] = [:]
        var closed = false
    }
    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Starts `body` unless the owner is shut down; false if it was not started.
    @discardableResult
    public func spawn(_ body: @escaping @Sendable () async -> Void) -> Bool {
        state.withLockedValue { state in
            guard !state.closed else { return false }
            let id = state.next
            state.next += 1
            // The task cannot remove itself before it is stored: `finished` takes the same lock.
            state.running[id] = Task { [weak self] in
                await body()
                self?.finished(id)
            }
            return true
        }
    }

    public var count: Int { state.withLockedValue { $0.running.count } }
    public var isShutDown: Bool { state.withLockedValue { $0.closed } }

    /// Refuses new tasks, then waits for the running ones; with `cancel`, cancels them first.
    public func shutdown(cancel: Bool) async {
        let running = state.withLockedValue { state -> [Task<Void, Never>] in
            state.closed = true
            return Array(state.running.values)
        }
        if cancel { running.forEach { $0.cancel() } }
        for task in running { await task.value }
    }

    private func finished(_ id: UInt64) {
        state.withLockedValue { _ = $0.running.removeValue(forKey: id) }
    }
}
