import NIOCore

/// Inbound bytes → `RESPValue`s, through the sans-I/O `RESPDecoder`. Bytes that are not RESP fail
/// the connection: the handler fires `RedisError.protocolViolation` and closes the channel.
final class RESPValueDecoderHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = RESPValue

    private var decoder: RESPDecoder
    private var failed = false

    init(limits: RESPDecoder.Limits = .init()) {
        decoder = RESPDecoder(limits: limits)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let buffer = unwrapInboundIn(data)
        decoder.feed(buffer.readableBytesView)
        do throws(RESPDecodingError) {
            while let value = try decoder.next() {
                context.fireChannelRead(wrapInboundOut(value))
            }
        } catch {
            failed = true
            context.fireErrorCaught(RedisError.protocolViolation(error))
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension RESPValueDecoderHandler: Sendable {}
