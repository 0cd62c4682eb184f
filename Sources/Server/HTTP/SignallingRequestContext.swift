import Hummingbird
import HummingbirdWebSocket
import NIOConcurrencyHelpers
import NIOCore

/// The request context of every route: Hummingbird's WebSocket context plus the connection's
/// channel, so that a refused WebSocket upgrade can leave its status and reason with the
/// connection (`UpgradeRefusal`).
///
/// hummingbird-websocket (2.8) keeps the upgrade's handler in the context's
/// `WebSocketHandlerReference` together with a copy of the context itself, and never clears
/// it: reference → value → context → reference. Every upgraded connection then leaked its
/// context, and through `channel` its `SocketChannel` and buffers (about 5 KB a join, the
/// soak's RSS trend). The reference lives in a `WebSocketSlot` instead, which the channel's
/// close empties: the cycle ends with the connection.
struct SignallingRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    private let slot: WebSocketSlot<Self>
    let channel: any Channel

    var webSocket: WebSocketHandlerReference<Self> { slot.reference }
    /// Whether the channel's close has emptied the slot (for tests).
    var slotIsReleased: Bool { slot.isReleased }

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        slot = WebSocketSlot()
        channel = source.channel
    }

    /// Runs a WebSocket route's checks; an `HTTPError` they throw is noted on the connection,
    /// so the refusal is answered with its status and reason, then rethrown. When they pass,
    /// the router stores the upgrade's handler next: it is released when the channel closes.
    func checkingUpgrade(_ checks: () async throws -> Void) async throws {
        do {
            try await checks()
        } catch let error as HTTPError {
            UpgradeRefusal.note(status: error.status, reason: error.body ?? error.status.reasonPhrase, on: channel)
            throw error
        }
        let slot = slot
        channel.closeFuture.whenComplete { _ in slot.release() }
    }
}

/// Holds a context's `WebSocketHandlerReference` until `release()`; afterwards it hands out an
/// empty one (nothing reads it once the connection has closed).
final class WebSocketSlot<Context: WebSocketRequestContext>: Sendable {
    private let held = NIOLockedValueBox<WebSocketHandlerReference<Context>?>(.init())

    var reference: WebSocketHandlerReference<Context> {
        held.withLockedValue { $0 } ?? WebSocketHandlerReference()
    }

    var isReleased: Bool { held.withLockedValue { $0 == nil } }

    func release() { held.withLockedValue { $0 = nil } }
}
