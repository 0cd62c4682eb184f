import NIOConcurrencyHelpers

/// Runs `body` at once and then every `interval` until stopped: a node's periodic Redis work
/// (heartbeat, room entries, other nodes' agent workers). The body holds its owner weakly; the
/// loop ends with `stop()` or when this value (so its owner) is released.
final class RepeatingTask: Sendable {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func start(every interval: Duration, _ body: @escaping @Sendable () async -> Void) {
        let loop = Task {
            while !Task.isCancelled {
                await body()
                try? await Task.sleep(for: interval)
            }
        }
        task.withLockedValue { $0?.cancel(); $0 = loop }
    }

    func stop() { task.withLockedValue { $0?.cancel(); $0 = nil } }

    /// The owner went away: so does its loop.
    deinit { stop() }
}
