import Logging
import NIOConcurrencyHelpers
import NIOCore

/// One logical connection to Redis that outlives Redis restarts: the I/O shell around
/// `ReconnectingConnectionState`. It owns the current `RedisConnection`, the reconnect timer and
/// the deadlines of commands waiting for a connection. All of its state lives on one event loop.
final class ReconnectingRedisConnection: Sendable {
    /// Called on the event loop.
    struct Observers: Sendable {
        /// After the handshake and before the commands that waited are written.
        var connected: @Sendable (RedisConnection) -> Void = { _ in }
        var disconnected: @Sendable () -> Void = {}
        /// Pub/sub messages; set only for a subscriber's connection.
        var message: (@Sendable (RedisPubSubMessage) -> Void)?
    }

    struct Pending: Sendable {
        var id: UInt64
        var command: RedisCommand
    }

    private struct LoopState {
        var machine: ReconnectingConnectionState<Pending>
        var connection: RedisConnection?
        var reconnectTimer: Scheduled<Void>?
        var waitTimers: [UInt64: Scheduled<Void>] = [:]
        var nextID: UInt64 = 0
    }

    let eventLoop: EventLoop
    let configuration: RedisConfiguration
    private let logger: Logger
    private let observers: Observers
    private let state: NIOLoopBoundBox<LoopState>
    private let connectedFlag = NIOLockedValueBox(false)

    init(configuration: RedisConfiguration, eventLoop: EventLoop, logger: Logger, observers: Observers) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.logger = logger
        self.observers = observers
        let backoff = ReconnectBackoff(initial: configuration.initialReconnectDelay, maximum: configuration.maxReconnectDelay)
        state = .makeBoxSendingValue(LoopState(machine: .init(backoff: backoff)), eventLoop: eventLoop)
    }

    /// True while a connection is up and its handshake done.
    var isConnected: Bool { connectedFlag.withLockedValue { $0 } }

    /// Starts connecting now instead of on the first command.
    func start() {
        eventLoop.execute { self.apply(self.state.value.machine.start()) }
    }

    /// Sends a command, connecting first if needed. Fails with `RedisError.timeout` after
    /// `timeout` seconds, or `.notConnected` if no connection came up by then.
    func send(_ arguments: [[UInt8]], timeout: Double) -> EventLoopFuture<RESPValue> {
        let promise = eventLoop.makePromise(of: RESPValue.self)
        let command = RedisCommand(arguments: arguments, promise: promise, deadline: .after(seconds: timeout))
        eventLoop.execute { self.enqueue(command) }
        return promise.futureResult
    }

    /// Sends only if a connection is up right now; nil otherwise (the command would be moot after
    /// a reconnect, like `UNSUBSCRIBE`).
    func sendIfConnected(_ arguments: [[UInt8]], timeout: Double) -> EventLoopFuture<RESPValue?> {
        eventLoop.flatSubmit {
            guard self.state.value.machine.phase == .connected, let connection = self.state.value.connection else {
                return self.eventLoop.makeSucceededFuture(nil)
            }
            return connection.send(arguments, deadline: .after(seconds: timeout)).map { Optional($0) }
        }
    }

    /// Stops reconnecting, fails commands waiting for a connection with `RedisError.clientClosed`
    /// and closes the connection (commands in flight fail with `.connectionClosed`).
    func close() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit {
            self.state.value.reconnectTimer?.cancel()
            self.state.value.reconnectTimer = nil
            let connection = self.state.value.connection
            self.apply(self.state.value.machine.close())
            return connection?.closeFuture ?? self.eventLoop.makeSucceededVoidFuture()
        }
    }

    // MARK: - On the loop

    private func enqueue(_ command: RedisCommand) {
        let id = state.value.nextID
        state.value.nextID &+= 1
        let actions = state.value.machine.send(id: id, Pending(id: id, command: command))
        let waits = [.connecting, .backingOff].contains(state.value.machine.phase)
        if waits {
            state.value.waitTimers[id] = eventLoop.assumeIsolated().scheduleTask(deadline: command.deadline) {
                self.state.value.waitTimers[id] = nil
                self.apply(self.state.value.machine.waitExpired(id: id))
            }
        }
        apply(actions)
    }

    private func apply(_ actions: [ReconnectingConnectionState<Pending>.Action]) {
        for action in actions {
            switch action {
            case .connect:
                connect()
            case .announceConnected:
                connectedFlag.withLockedValue { $0 = true }
                if let connection = state.value.connection { observers.connected(connection) }
            case .announceDisconnected:
                connectedFlag.withLockedValue { $0 = false }
                observers.disconnected()
            case .write(let pendings):
                for pending in pendings {
                    state.value.waitTimers.removeValue(forKey: pending.id)?.cancel()
                    if let connection = state.value.connection {
                        connection.send(pending.command)
                    } else {
                        pending.command.promise.fail(RedisError.connectionClosed)
                    }
                }
            case .fail(let pendings, let error):
                for pending in pendings {
                    state.value.waitTimers.removeValue(forKey: pending.id)?.cancel()
                    pending.command.promise.fail(error)
                }
            case .scheduleReconnect(let seconds):
                state.value.reconnectTimer = eventLoop.assumeIsolated().scheduleTask(in: .interval(seconds)) {
                    self.state.value.reconnectTimer = nil
                    self.apply(self.state.value.machine.reconnectDue())
                }
            case .closeConnection:
                state.value.connection?.close()
            }
        }
    }

    private func connect() {
        RedisConnection.connect(
            configuration: configuration, eventLoop: eventLoop, logger: logger, onMessage: observers.message
        ).whenComplete { result in
            switch result {
            case .success(let connection):
                guard self.state.value.machine.phase == .connecting else {
                    connection.close() // closed while connecting
                    return
                }
                self.state.value.connection = connection
                connection.closeFuture.whenComplete { _ in self.connectionClosed(connection) }
                self.logger.debug("connected to Redis", metadata: self.endpoint)
                self.apply(self.state.value.machine.connected())
            case .failure(let error):
                let failures = self.state.value.machine.failures
                // Every attempt while Redis is down fails: log the first few, then every 20th.
                if failures < 3 || failures % 20 == 0 {
                    self.logger.warning("cannot connect to Redis", metadata: self.endpoint.merging(
                        ["error": "\(error)", "attempt": "\(failures + 1)"]) { $1 })
                }
                self.apply(self.state.value.machine.connectFailed("\(error)", jitter: .random(in: 0..<1)))
            }
        }
    }

    private func connectionClosed(_ connection: RedisConnection) {
        guard state.value.connection === connection else { return }
        state.value.connection = nil
        if state.value.machine.phase == .connected {
            logger.warning("Redis connection closed; reconnecting", metadata: endpoint)
        }
        apply(state.value.machine.disconnected("connection closed", jitter: .random(in: 0..<1)))
    }

    private var endpoint: Logger.Metadata {
        ["redis": "\(configuration.host):\(configuration.port)"]
    }
}
