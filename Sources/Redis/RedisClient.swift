import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A Redis client over one pipelined connection on a swift-nio event loop.
///
/// Commands from any number of tasks go out on one connection as they come and are answered in
/// order. Each has a timeout (`RedisConfiguration.commandTimeout`) that also covers a wait for a
/// connection. When the connection drops, commands in flight fail at once with
/// `RedisError.connectionClosed` and the client reconnects with capped exponential backoff;
/// commands sent meanwhile wait for the new connection. `onConnect` lets a caller put its state
/// back after Redis restarted.
///
/// Errors thrown are `RedisError`; an error reply from the server is `RedisError.server`.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    private let connection: ReconnectingRedisConnection
    private let connectHook: NIOLockedValueBox<(@Sendable () async -> Void)?>
    private let hookTask: NIOLockedValueBox<Task<Void, Never>?>

    /// The client does not connect until `start()` or the first command.
    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "sfu.redis")
    ) {
        let connectHook = NIOLockedValueBox<(@Sendable () async -> Void)?>(nil)
        let hookTask = NIOLockedValueBox<Task<Void, Never>?>(nil)
        var observers = ReconnectingRedisConnection.Observers()
        observers.connected = { _ in
            guard let hook = connectHook.withLockedValue({ $0 }) else { return }
            // A hook still running from the last connection is moot: this run redoes its work.
            let task = Task { await hook() }
            hookTask.withLockedValue { $0?.cancel(); $0 = task }
        }
        self.configuration = configuration
        self.connectHook = connectHook
        self.hookTask = hookTask
        connection = ReconnectingRedisConnection(
            configuration: configuration, eventLoop: eventLoopGroup.next(), logger: logger, observers: observers)
    }

    /// True while a connection is up (handshake done).
    public var isConnected: Bool { connection.isConnected }

    /// Runs `hook` in a task after every connect, the first one included: the place to re-register
    /// state (keys with expiry, room placements) that a Redis restart lost. Commands it sends go
    /// out on the new connection. Set it before `start()` to see the first connect. `close()`
    /// releases the hook (so a hook that captures this client does not keep it alive).
    public func onConnect(_ hook: @escaping @Sendable () async -> Void) {
        connectHook.withLockedValue { $0 = hook }
    }

    /// Connects now rather than on the first command.
    public func start() {
        connection.start()
    }

    /// Sends a command, e.g. `["SET", "key", "value"]`, and returns the reply. `timeout` (seconds)
    /// overrides the configured command timeout for a command known to take long.
    public func send(_ arguments: [String], timeout: Double? = nil) async throws -> RESPValue {
        try await send(arguments: arguments.map { Array($0.utf8) }, timeout: timeout)
    }

    /// Sends a command with binary arguments.
    public func send(arguments: [[UInt8]], timeout: Double? = nil) async throws -> RESPValue {
        try await connection.send(arguments, timeout: timeout ?? configuration.commandTimeout).get()
    }

    /// Closes the connection for good: commands waiting for a connection fail with
    /// `RedisError.clientClosed`, commands in flight with `.connectionClosed`, and a running
    /// `onConnect` hook is cancelled.
    public func close() async {
        connectHook.withLockedValue { $0 = nil }
        hookTask.withLockedValue { $0?.cancel(); $0 = nil }
        try? await connection.close().get()
    }
}
