import Foundation

/// Waits until every task in `tasks` has ended, or `seconds` have passed, whichever is first;
/// true if they all ended. For shutdown: an HTTP request that ignores its cancellation (seen
/// with URLSession on Linux, whose continuation can stay pending after a cancel) must not hold
/// the server's exit. The watcher left behind on a timeout ends with the process.
func waitForAll(_ tasks: [Task<Void, Never>], atMost seconds: Double) async -> Bool {
    guard !tasks.isEmpty else { return true }
    final class Once: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Bool, Never>?
        init(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation = continuation }
        func resume(_ value: Bool) {
            lock.lock()
            let pending = continuation
            continuation = nil
            lock.unlock()
            pending?.resume(returning: value)
        }
    }
    return await withCheckedContinuation { continuation in
        let once = Once(continuation)
        let watcher = Task {
            for task in tasks { await task.value }
            once.resume(true)
        }
        Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            once.resume(false)
            _ = watcher  // nothing more to do: the watcher ends when the tasks do
        }
    }
}
