import NIOCore

/// First handler of every HTTP/WebSocket connection: takes a slot in the `ConnectionLimiter`
/// (503 when the cap is held by busy connections), cuts a connection whose first request head
/// is not complete within `header_timeout` of accept (slowloris, silent sockets), and answers
/// 431 at once to a head over `maxHeadBytes` (RFC 6585 §5). From a complete head on it only
/// passes bytes through; later requests on a kept-alive connection are watched by Hummingbird's
/// idle timeout and `RequestBodyDeadline`.
final class RequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase { case waiting, passing, refusing }

    private let limiter: ConnectionLimiter
    private let headerTimeout: TimeAmount
    private var scanner: RequestHeadScanner
    private var phase = Phase.waiting
    private var begun = false
    private var timer: Scheduled<Void>?
    /// Its slot in the limiter, once admitted.
    private(set) var slot: ConnectionSlot?
    /// Why a WebSocket route refused the upgrade, until `UpgradeRefusal` answers with it.
    var upgradeRefusal: UpgradeRefusal.Note?

    /// How long a refused connection is drained before it is closed, so the client reads the
    /// answer instead of a reset for the bytes it was still sending.
    static let lingerAfterRefusal = TimeAmount.seconds(2)

    init(limiter: ConnectionLimiter, headerTimeout: TimeAmount, maxHeadBytes: Int) {
        self.limiter = limiter
        self.headerTimeout = headerTimeout
        scanner = RequestHeadScanner(limit: maxHeadBytes)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { begin(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        begin(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .passing:
            context.fireChannelRead(data)
        case .refusing:
            break  // drained while the answer goes out
        case .waiting:
            let buffer = unwrapInboundIn(data)
            let progress = buffer.withUnsafeReadableBytes { scanner.scan($0) }
            switch progress {
            case .incomplete:
                context.fireChannelRead(data)
            case .complete:
                phase = .passing
                cancelTimer()
                if let slot { slot.limiter.markBusy(slot.id) }
                context.fireChannelRead(data)
            case .tooLarge:
                limiter.counters.count(.headTooLarge)
                refuse(context: context, status: "431 Request Header Fields Too Large",
                       reason: "request head larger than \(scanner.limit) bytes")
            }
        }
    }

    private func begin(context: ChannelHandlerContext) {
        guard !begun else { return }
        begun = true
        guard let id = limiter.open(context.channel) else {
            refuse(context: context, status: "503 Service Unavailable",
                   reason: "too many connections (max_connections \(limiter.capacity))", retryAfter: true)
            return
        }
        slot = ConnectionSlot(id: id, limiter: limiter)
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: headerTimeout) { [self] in
            timer = nil
            guard phase == .waiting else { return }
            limiter.counters.count(.headerTimeout)
            context.close(promise: nil)
        }
    }

    /// Answers with `status` and closes: output first, input after a short drain.
    private func refuse(context: ChannelHandlerContext, status: String, reason: String, retryAfter: Bool = false) {
        phase = .refusing
        cancelTimer()
        let body = reason + "\n"
        var head = "HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        if retryAfter { head += "Retry-After: 1\r\n" }
        let response = head + "\r\n" + body
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
        }
        context.eventLoop.scheduleTask(in: Self.lingerAfterRefusal) {
            channel.close(promise: nil)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
