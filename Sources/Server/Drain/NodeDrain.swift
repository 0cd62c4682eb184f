import CSignals
import Foundation
import Logging
import NIOConcurrencyHelpers

/// The shell of `DrainState`: catches SIGTERM and SIGINT (instead of letting the HTTP server
/// stop at once), looks for new ones every 100 ms and at the remaining work every 500 ms
/// while draining, and returns from `run` when the server should stop.
final class NodeDrain: Sendable {
    private let state: NIOLockedValueBox<DrainState>
    private let logger: Logger
    private let onStartDraining: @Sendable () -> Void
    private let stopped = NIOLockedValueBox<CheckedContinuation<DrainState.StopReason, Never>?>(nil)
    private let reason = NIOLockedValueBox<DrainState.StopReason?>(nil)
    static let signalPoll: Duration = .milliseconds(100)
    static let workChecksEvery = 5

    init(timeout: Double, logger: Logger, onStartDraining: @escaping @Sendable () -> Void) {
        state = NIOLockedValueBox(DrainState(timeout: timeout))
        self.logger = logger
        self.onStartDraining = onStartDraining
    }

    var isDraining: Bool { state.withLockedValue { $0.isDraining } }

    /// Takes SIGTERM and SIGINT over from the default (terminate) disposition: from now on
    /// they are counted (csignals) and acted on by `run`.
    func installSignalHandlers() {
        csignals_install_stop_handlers()
    }

    /// Returns once the node should stop; `remainingWork` is asked twice a second while
    /// draining (calls in progress plus recordings being written).
    func run(remainingWork: @escaping @Sendable () async -> Int) async -> DrainState.StopReason {
        let checker = Task {
            var seen = csignals_stop_count()
            var round = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.signalPoll)
                let count = csignals_stop_count()
                while seen < count {
                    seen += 1
                    let name = csignals_last_stop_signal() == SIGINT ? "SIGINT" : "SIGTERM"
                    apply(state.withLockedValue { $0.signal(now: Self.now()) }, cause: name)
                }
                round += 1
                guard isDraining, round % Self.workChecksEvery == 0 else { continue }
                let work = await remainingWork()
                apply(state.withLockedValue { $0.check(now: Self.now(), remainingWork: work) }, cause: "\(work) call(s) and recording(s) left")
            }
        }
        defer { checker.cancel() }
        return await withCheckedContinuation { continuation in
            let early: DrainState.StopReason? = reason.withLockedValue { reason in
                if let reason { return reason }
                stopped.withLockedValue { $0 = continuation }
                return nil
            }
            if let early { continuation.resume(returning: early) }
        }
    }

    /// The server stopped by itself (an error): `run` returns.
    func abandon() { finish(.serverEnded) }

    private func finish(_ why: DrainState.StopReason) {
        let continuation = reason.withLockedValue { reason -> CheckedContinuation<DrainState.StopReason, Never>? in
            guard reason == nil else { return nil }
            reason = why
            return stopped.withLockedValue { let c = $0; $0 = nil; return c }
        }
        continuation?.resume(returning: why)
    }

    private func apply(_ action: DrainState.Action, cause: String) {
        switch action {
        case .none:
            return
        case .startDraining:
            logger.notice("\(cause): draining; /healthz answers 503, no new rooms, the calls here carry on (a second signal stops at once)")
            onStartDraining()
        case .stop(let why):
            logger.notice("stopping: \(why)")
            finish(why)
        }
    }

    private static func now() -> Double { ProcessInfo.processInfo.systemUptime }
}
