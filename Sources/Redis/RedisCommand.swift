import NIOCore

/// One command on its way to the server: its RESP bytes, the promise its reply completes and the
/// moment it times out (fixed when the caller asked, so a wait for a connection counts too).
struct RedisCommand: Sendable {
    var bytes: [UInt8]
    var promise: EventLoopPromise<RESPValue>
    var deadline: NIODeadline

    init(arguments: [[UInt8]], promise: EventLoopPromise<RESPValue>, deadline: NIODeadline) {
        bytes = RESPEncoder.command(arguments)
        self.promise = promise
        self.deadline = deadline
    }
}

extension NIODeadline {
    /// `seconds` from now (at least one millisecond, at most a day).
    static func after(seconds: Double) -> NIODeadline {
        let clamped = min(max(seconds, 0.001), 86_400)
        return .now() + .nanoseconds(Int64(clamped * 1_000_000_000))
    }
}

extension TimeAmount {
    /// A time amount from fractional seconds (clamped to [0, one day]).
    static func interval(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(min(max(seconds, 0), 86_400) * 1_000_000_000))
    }
}
