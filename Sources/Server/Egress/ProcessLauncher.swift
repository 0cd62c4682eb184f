import Foundation

/// Starts child processes from one thread of its own.
///
/// On Linux, Foundation's `Process.run()` gets the calling thread's `CFRunLoop`, and a thread's
/// first one is an epoll, an eventfd and a timerfd that stay open as long as the thread lives.
/// Called from Swift concurrency's pool, every pool thread that ever started an egress worker
/// kept such a set: the soak saw the server's descriptors step from 36–37 to 39–40 after 16
/// minutes, when one more pool thread happened to start a recording. Started from here, every
/// process costs the same one set, whichever thread asked.
///
/// `run(_:)` blocks its caller until the process has been started (or failed to), as
/// `Process.run()` itself does.
final class ProcessLauncher: @unchecked Sendable {  // `pending` is guarded by `condition`
    static let shared = ProcessLauncher()  // made on first use, like its thread

    private let condition = NSCondition()
    private var pending: [() -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.name = "process-launcher"
        thread.start()
    }

    /// `process.run()` on the launcher's thread; its error, if any, is thrown here.
    func run(_ process: Process) throws {
        let done = DispatchSemaphore(value: 0)
        var failure: (any Error)?
        submit {
            do { try process.run() } catch { failure = error }
            done.signal()
        }
        done.wait()
        if let failure { throw failure }
    }

    private func submit(_ job: @escaping () -> Void) {
        condition.lock()
        pending.append(job)
        condition.signal()
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while pending.isEmpty { condition.wait() }
            let jobs = pending
            pending = []
            condition.unlock()
            for job in jobs { job() }
        }
    }
}
