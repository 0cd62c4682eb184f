/// Scale-in without cutting a call: the first SIGTERM (or SIGINT) starts a drain, in which the
/// node keeps its calls, takes no new rooms and reports 503 on `/healthz`; it stops once no
/// call is left, or when `timeout` has passed, or at once on a second signal. LiveKit's
/// server drains the same way.
///
/// A pure state machine: the shell feeds it signals and the node's remaining work (calls in
/// progress and recordings still being written) and acts on what it returns.
struct DrainState: Equatable {
    enum Phase: Equatable {
        case serving
        case draining(since: Double)
        case stopping(StopReason)
    }

    enum StopReason: Equatable, CustomStringConvertible {
        case idle, timedOut, secondSignal
        /// Not the drain's decision: the server ended by itself.
        case serverEnded
        var description: String {
            switch self {
            case .serverEnded: return "the server ended"
            case .idle: return "no call left"
            case .timedOut: return "drain timeout reached"
            case .secondSignal: return "second signal"
            }
        }
    }

    enum Action: Equatable {
        case none
        /// Mark the node draining: `/healthz` 503, no new rooms.
        case startDraining
        /// Shut the server down now.
        case stop(StopReason)
    }

    /// Longest wait for calls to end (`[node] drain_timeout`).
    let timeout: Double
    private(set) var phase = Phase.serving

    init(timeout: Double) { self.timeout = timeout }

    var isDraining: Bool {
        if case .serving = phase { return false }
        return true
    }

    /// SIGTERM or SIGINT arrived.
    mutating func signal(now: Double) -> Action {
        switch phase {
        case .serving:
            phase = .draining(since: now)
            return .startDraining
        case .draining:
            phase = .stopping(.secondSignal)
            return .stop(.secondSignal)
        case .stopping:
            return .none
        }
    }

    /// Periodic check while draining, with the work still in progress (participants plus
    /// active recordings).
    mutating func check(now: Double, remainingWork: Int) -> Action {
        guard case .draining(let since) = phase else { return .none }
        if remainingWork <= 0 {
            phase = .stopping(.idle)
            return .stop(.idle)
        }
        if now - since >= timeout {
            phase = .stopping(.timedOut)
            return .stop(.timedOut)
        }
        return .none
    }
}
