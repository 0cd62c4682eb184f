import NIOCore

/// Answers `GET /rtc/v1…` with 404 before the WebSocket upgrader sees it, when single peer
/// connection signalling is switched off (`[rtc] single_peer_connection = false`).
///
/// The LiveKit SDKs try single-peer-connection signalling at `/rtc/v1` first and fall back to
/// `/rtc` only on a 404 (PROTOCOL.md §1). Hummingbird's upgrade channel answers every refused
/// upgrade with 400, so this handler sits first in the pipeline, reads the request line, and
/// either answers 404 itself or steps aside and replays what it read.
final class SingleConnectionModeRefusal: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var buffered: ByteBuffer?
    static let maxRequestLine = 8192

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var pending = buffered {
            pending.writeBuffer(&incoming)
            buffered = pending
        } else {
            buffered = incoming
        }
        guard let view = buffered?.readableBytesView else { return }
        guard let lineEnd = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > Self.maxRequestLine { stepAside(context: context) }
            return
        }
        let line = String(decoding: view[view.startIndex..<lineEnd], as: UTF8.self)
        let parts = line.split(separator: " ")
        if parts.count >= 2, parts[0] == "GET", Self.isSingleConnectionPath(String(parts[1])) {
            let body = "single peer connection signalling (/rtc/v1) is switched off on this server; use /rtc\n"
            let response = "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            buffered = nil
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
            return
        }
        stepAside(context: context)
    }

    static func isSingleConnectionPath(_ target: String) -> Bool {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        return path == "/rtc/v1" || path == "/rtc/v1/"
    }

    private func stepAside(context: ChannelHandlerContext) {
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Replays what was read, then leaves (NIO's removal protocol).
    func removeHandler(context: ChannelHandlerContext, removalToken: ChannelHandlerContext.RemovalToken) {
        if let pending = buffered {
            buffered = nil
            context.fireChannelRead(wrapInboundOut(pending))
            context.fireChannelReadComplete()
        }
        context.leavePipeline(removalToken: removalToken)
    }
}
