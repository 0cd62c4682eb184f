import NIOCore
import NIOHTTPTypes

/// Cuts a connection whose request body is not complete within `body_timeout` of its head (a
/// body announced as 50 MB of which 2 bytes arrive), and tells the `ConnectionLimiter` when
/// the connection is busy with a request and when it waits idle for the next one.
///
/// Sits on the HTTP side of Hummingbird's pipeline (its `additionalChannelHandlers`), so it
/// sees decoded request parts of every request on a connection that was not upgraded.
final class RequestBodyDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let bodyTimeout: TimeAmount
    private let counters: HTTPConnectionCounters
    private var slot: ConnectionSlot?
    private var timer: Scheduled<Void>?

    init(bodyTimeout: TimeAmount, counters: HTTPConnectionCounters) {
        self.bodyTimeout = bodyTimeout
        self.counters = counters
    }

    func handlerAdded(context: ChannelHandlerContext) {
        slot = try? context.pipeline.syncOperations.handler(type: RequestHeadGuard.self).slot
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            if let slot { slot.limiter.markBusy(slot.id) }
            cancelTimer()
            timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: bodyTimeout) { [self] in
                timer = nil
                counters.count(.bodyTimeout)
                context.close(promise: nil)
            }
        case .body:
            break
        case .end:
            cancelTimer()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), timer == nil, let slot {
            slot.limiter.markIdle(slot.id)
        }
        context.write(data, promise: promise)
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
