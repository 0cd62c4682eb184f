/// The life of a connection that reconnects by itself, as a value without I/O: it says when to
/// connect, when to write commands, when to give up on them and how long to back off. The shell
/// (`ReconnectingRedisConnection`) performs the actions and reports what happened.
///
/// ```
/// idle ──start/send──▶ connecting ──connected──▶ connected
///                        ▲     │ failed               │ dropped
///                        │     ▼                      ▼
///                        └─ backingOff ◀──────────────┘      (any) ──close──▶ closed
/// ```
///
/// Commands sent while there is no connection wait for one until their deadline; commands in
/// flight when a connection drops are failed by the connection itself (`RedisCommandHandler`),
/// not retried: they may have run.
struct ReconnectingConnectionState<Pending> {
    enum Phase: Equatable, Sendable {
        case idle, connecting, connected, backingOff, closed
    }

    enum Action {
        /// Open a connection and run its handshake; report `connected` or `connectFailed`.
        case connect
        /// The connection is up: tell whoever watches (the subscriber re-subscribes here).
        case announceConnected
        /// The connection is gone.
        case announceDisconnected
        /// Send these on the connection, in this order.
        case write([Pending])
        case fail([Pending], RedisError)
        /// Report `reconnectDue` after this many seconds.
        case scheduleReconnect(seconds: Double)
        /// Close the connection (the client is closing, or it came up after close).
        case closeConnection
    }

    private(set) var phase: Phase = .idle
    /// Failed attempts since the last connection was up.
    private(set) var failures = 0
    /// Why the last attempt failed or the last connection dropped, for `RedisError.notConnected`.
    private(set) var lastFailure = "no connection yet"
    private var waiting: [(id: UInt64, pending: Pending)] = []
    let backoff: ReconnectBackoff

    init(backoff: ReconnectBackoff) {
        self.backoff = backoff
    }

    /// Commands waiting for a connection.
    var waitingCount: Int { waiting.count }

    /// Starts connecting if nothing has yet.
    mutating func start() -> [Action] {
        guard phase == .idle else { return [] }
        phase = .connecting
        return [.connect]
    }

    /// A command to send: now if connected, else once a connection is up. The shell gives it a
    /// deadline and reports `waitExpired(id:)` if it is still waiting then.
    mutating func send(id: UInt64, _ pending: Pending) -> [Action] {
        switch phase {
        case .connected:
            return [.write([pending])]
        case .closed:
            return [.fail([pending], .clientClosed)]
        case .idle:
            waiting.append((id, pending))
            phase = .connecting
            return [.connect]
        case .connecting, .backingOff:
            waiting.append((id, pending))
            return []
        }
    }

    /// The handshake of the new connection succeeded.
    mutating func connected() -> [Action] {
        guard phase == .connecting else { return [.closeConnection] }
        phase = .connected
        failures = 0
        let flushed = waiting.map(\.pending)
        waiting.removeAll()
        return flushed.isEmpty ? [.announceConnected] : [.announceConnected, .write(flushed)]
    }

    /// The attempt failed (refused, timed out, `AUTH` rejected). `jitter` is a number in [0, 1).
    mutating func connectFailed(_ reason: String, jitter: Double) -> [Action] {
        guard phase == .connecting else { return [] }
        failures += 1
        lastFailure = reason
        phase = .backingOff
        return [.scheduleReconnect(seconds: backoff.delay(afterFailures: failures, jitter: jitter))]
    }

    /// The connection that was up closed. The first new attempt waits the initial delay too, so a
    /// server that accepts and drops at once is not hammered.
    mutating func disconnected(_ reason: String, jitter: Double) -> [Action] {
        guard phase == .connected else { return [] }
        failures = 1
        lastFailure = reason
        phase = .backingOff
        return [.announceDisconnected, .scheduleReconnect(seconds: backoff.delay(afterFailures: 1, jitter: jitter))]
    }

    mutating func reconnectDue() -> [Action] {
        guard phase == .backingOff else { return [] }
        phase = .connecting
        return [.connect]
    }

    /// The deadline of waiting command `id` passed: fail it if it is still waiting.
    mutating func waitExpired(id: UInt64) -> [Action] {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return [] }
        let pending = waiting.remove(at: index).pending
        return [.fail([pending], .notConnected(lastFailure))]
    }

    /// Stops for good: waiting commands fail, the connection (if up) closes, nothing reconnects.
    mutating func close() -> [Action] {
        let previous = phase
        phase = .closed
        var actions: [Action] = []
        if !waiting.isEmpty {
            actions.append(.fail(waiting.map(\.pending), .clientClosed))
            waiting.removeAll()
        }
        if previous == .connected {
            actions.append(.announceDisconnected)
            actions.append(.closeConnection)
        }
        return actions
    }
}

extension ReconnectingConnectionState.Action: Equatable where Pending: Equatable {}
