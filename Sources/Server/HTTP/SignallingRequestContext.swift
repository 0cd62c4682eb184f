import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of every route: Hummingbird's WebSocket context plus the connection's
/// channel, so that a refused WebSocket upgrade can leave its status and reason with the
/// connection (`UpgradeRefusal`).
struct SignallingRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }

    /// Runs a WebSocket route's checks; an `HTTPError` they throw is noted on the connection,
    /// so the refusal is answered with its status and reason, then rethrown.
    func checkingUpgrade(_ checks: () async throws -> Void) async throws {
        do {
            try await checks()
        } catch let error as HTTPError {
            UpgradeRefusal.note(status: error.status, reason: error.body ?? error.status.reasonPhrase, on: channel)
            throw error
        }
    }
}
