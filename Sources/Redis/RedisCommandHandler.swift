import Logging
import NIOCore

/// Sends `RedisCommand`s and completes each one's promise with its reply, in FIFO order
/// (`RedisReplyQueue`). Every command times out at its deadline with `RedisError.timeout`; when the
/// connection closes, every command still waiting fails with `RedisError.connectionClosed` at once.
///
/// A top-level error reply fails the promise with `RedisError.server`. On a subscribed connection
/// (`onMessage` set) pub/sub messages go to `onMessage` and do not take a place in the queue.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisCommand
    typealias OutboundOut = ByteBuffer

    /// Timed-out commands whose replies have not come back yet. Past this many the server is taken
    /// to be stuck and the connection is closed (and then reconnected by its owner).
    static let abandonedLimit = 1_024

    private struct Waiter {
        var promise: EventLoopPromise<RESPValue>
        var timeout: Scheduled<Void>
    }

    private var queue = RedisReplyQueue<Waiter>()
    private var nextID: UInt64 = 0
    private var closed = false
    private let onMessage: ((RedisPubSubMessage) -> Void)?
    private let logger: Logger

    init(logger: Logger, onMessage: ((RedisPubSubMessage) -> Void)? = nil) {
        self.logger = logger
        self.onMessage = onMessage
    }

    /// The write promise only says that the handler took the command; the command's own promise
    /// reports its outcome.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = unwrapOutboundIn(data)
        promise?.succeed(())
        guard !closed else {
            command.promise.fail(RedisError.connectionClosed)
            return
        }
        let id = nextID
        nextID &+= 1
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: command.deadline) { [weak self] in
            guard let self else { return }
            self.timedOut(id: id, context: context)
        }
        queue.append(id: id, waiter: Waiter(promise: command.promise, timeout: timeout))
        var buffer = context.channel.allocator.buffer(capacity: command.bytes.count)
        buffer.writeBytes(command.bytes)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        if let onMessage, let message = RedisPubSubMessage(value) {
            onMessage(message)
            return
        }
        if case .push = value { return } // RESP3 out-of-band data; this client never asks for it
        switch queue.popReply() {
        case .waiter(let waiter):
            waiter.timeout.cancel()
            if case .error(let message) = value {
                waiter.promise.fail(RedisError.server(message))
            } else {
                waiter.promise.succeed(value)
            }
        case .abandoned:
            break
        case .unexpected:
            // A reply nobody asked for: the replies no longer line up with the commands.
            logger.warning("Redis sent a reply without a command; closing the connection",
                           metadata: ["reply": "\(value)"])
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A transport error (TLS handshake or certificate, reset) says more than "closed".
        if !(error is RedisError) { logger.warning("Redis connection failed: \(error)") }
        failAll(with: error as? RedisError ?? .connectionClosed)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        failAll(with: .connectionClosed)
        context.fireChannelInactive()
    }

    private func timedOut(id: UInt64, context: ChannelHandlerContext) {
        guard let waiter = queue.abandon(id: id) else { return }
        waiter.promise.fail(RedisError.timeout)
        if queue.abandonedCount >= Self.abandonedLimit, !closed {
            logger.warning("Redis has not answered \(queue.abandonedCount) timed-out commands; closing the connection")
            context.close(promise: nil)
        }
    }

    private func failAll(with error: RedisError) {
        for waiter in queue.removeAll() {
            waiter.timeout.cancel()
            waiter.promise.fail(error)
        }
    }
}

@available(*, unavailable)
extension RedisCommandHandler: Sendable {}
