import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// Hummingbird's HTTP/1 + WebSocket child channel, with our connection hygiene in front
/// (`RequestHeadGuard`: the cap, the header timeout, 431), `SingleConnectionModeRefusal` when
/// `/rtc/v1` is switched off; on the HTTP side `ConnectionPolicy.http1` adds the body deadline
/// and `UpgradeRefusal`.
struct SignallingChildChannel: ServerChildChannel {
    let inner: HTTP1WebSocketUpgradeChannel
    let refuseSinglePeerConnection: Bool
    let connections: ConnectionPolicy

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(connections.headGuard())
            if refuseSinglePeerConnection {
                try channel.pipeline.syncOperations.addHandler(SingleConnectionModeRefusal())
            }
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await inner.handle(value: value, logger: ClosedBeforeRequestLogFilter.wrapping(logger))
    }
}

extension HTTPServerBuilder {
    static func signalling<WSResponderBuilder: HTTPResponderBuilder & _HB_SendableMetatype>(
        webSocketRouter: WSResponderBuilder, refuseSinglePeerConnection: Bool, connections: ConnectionPolicy
    ) -> HTTPServerBuilder
    where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        return HTTPServerBuilder { responder in
            // SDP offers with simulcast and many codecs exceed the 16 KiB default frame size.
            SignallingChildChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder,
                    configuration: .init(http1: connections.http1, ws: .init(maxFrameSize: SignalRoutes.maxFrameSize))),
                refuseSinglePeerConnection: refuseSinglePeerConnection, connections: connections)
        }
    }
}
