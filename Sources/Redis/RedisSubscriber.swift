import Logging
import NIOCore
import NIOPosix

/// Receives Redis pub/sub messages on a connection of its own: a connection that has sent
/// `SUBSCRIBE` may only send (un)subscribe commands and `PING` while subscribed
/// (https://redis.io/docs/latest/develop/interact/pubsub/), so it cannot share a `RedisClient`'s.
///
/// Each `subscribe` returns a stream of message payloads; a channel stays subscribed on the server
/// while any of its streams is alive. When the connection drops and comes back, every channel is
/// subscribed again by itself. Messages published while the connection was down are lost, as
/// pub/sub never stores them. Pattern subscriptions (`PSUBSCRIBE`) are not supported.
public final class RedisSubscriber: Sendable {
    public typealias Messages = AsyncStream<[UInt8]>

    public let configuration: RedisConfiguration
    private let eventLoop: EventLoop
    private let connection: ReconnectingRedisConnection
    private let registry: NIOLoopBoundBox<SubscriptionRegistry<Messages.Continuation>>
    private let logger: Logger

    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "sfu.redis.subscriber")
    ) {
        let eventLoop = eventLoopGroup.next()
        let registry = NIOLoopBoundBox.makeBoxSendingValue(
            SubscriptionRegistry<Messages.Continuation>(), eventLoop: eventLoop)
        let timeout = configuration.commandTimeout
        var observers = ReconnectingRedisConnection.Observers()
        observers.connected = { connection in
            let channels = registry.value.channels
            if !channels.isEmpty {
                logger.info("re-subscribing to Redis channels", metadata: ["channels": "\(channels.count)"])
            }
            for channel in channels {
                connection.send(Self.command("SUBSCRIBE", channel), deadline: .after(seconds: timeout)).whenFailure { error in
                    logger.warning("re-subscribe failed", metadata: ["channel": "\(channel)", "error": "\(error)"])
                }
            }
        }
        observers.message = { message in
            for sink in registry.value.sinks(for: message.channel) { sink.yield(message.payload) }
        }
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.registry = registry
        self.logger = logger
        connection = ReconnectingRedisConnection(
            configuration: configuration, eventLoop: eventLoop, logger: logger, observers: observers)
    }

    /// True while the connection is up.
    public var isConnected: Bool { connection.isConnected }

    /// Subscribes to `channel` and returns its messages. Returns once the server confirmed (at once
    /// if another stream already holds the channel); throws `RedisError` if it did not within the
    /// command timeout, and then nothing stays registered. Ending the stream (dropping it, or
    /// cancelling the task iterating it) gives up this subscription.
    public func subscribe(
        _ channel: String, bufferingPolicy: Messages.Continuation.BufferingPolicy = .unbounded
    ) async throws -> Messages {
        let (stream, continuation) = Messages.makeStream(bufferingPolicy: bufferingPolicy)
        let registration = try await eventLoop.submit { self.registry.value.add(continuation, to: channel) }.get()
        continuation.onTermination = { [weak self] _ in self?.streamEnded(id: registration.id, channel: channel) }
        guard registration.isFirst else { return stream }
        do {
            _ = try await connection.send(Self.command("SUBSCRIBE", channel), timeout: configuration.commandTimeout).get()
            return stream
        } catch {
            continuation.finish()
            throw error
        }
    }

    /// Ends every stream of `channel` and unsubscribes from it.
    public func unsubscribe(_ channel: String) async throws {
        let sinks = try await eventLoop.submit { self.registry.value.removeChannel(channel) }.get()
        for sink in sinks { sink.finish() }
        _ = try await connection.sendIfConnected(Self.command("UNSUBSCRIBE", channel), timeout: configuration.commandTimeout).get()
    }

    /// Ends every stream and closes the connection for good.
    public func close() async {
        let sinks = (try? await eventLoop.submit { self.registry.value.removeAll() }.get()) ?? []
        for sink in sinks { sink.finish() }
        try? await connection.close().get()
    }

    private func streamEnded(id: UInt64, channel: String) {
        eventLoop.execute {
            guard self.registry.value.remove(id: id, from: channel) else { return }
            self.connection.sendIfConnected(Self.command("UNSUBSCRIBE", channel), timeout: self.configuration.commandTimeout)
                .whenFailure { error in
                    self.logger.debug("unsubscribe failed", metadata: ["channel": "\(channel)", "error": "\(error)"])
                }
        }
    }

    private static func command(_ name: String, _ channel: String) -> [[UInt8]] {
        [Array(name.utf8), Array(channel.utf8)]
    }
}
