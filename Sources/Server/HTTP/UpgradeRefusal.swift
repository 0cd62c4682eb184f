import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers a refused WebSocket upgrade (`/rtc`, `/rtc/v1`, `/agent`) with the status and reason
/// its route threw (401 for a token that does not verify, 403 for one without the grant, 400
/// for a bad `join_request` or an empty identity), as `/rtc/validate` gives them, instead of
/// Hummingbird's bare 400 with an empty body.
///
/// Hummingbird's upgrade channel drops the error `shouldUpgrade` throws and writes that 400
/// itself. So the route notes its refusal on the connection (`note`, kept by the
/// `RequestHeadGuard` that every connection has), and this handler, on the HTTP side of the
/// pipeline, rewrites the 400 that follows into the noted answer.
final class UpgradeRefusal: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    struct Note: Equatable, Sendable {
        var status: HTTPResponse.Status
        var reason: String
    }

    private let counters: HTTPConnectionCounters
    private var rewriting = false

    init(counters: HTTPConnectionCounters) {
        self.counters = counters
    }

    /// Leaves the refusal with the connection; runs on its loop before Hummingbird answers,
    /// which it does only after `shouldUpgrade` has failed.
    static func note(status: HTTPResponse.Status, reason: String, on channel: any Channel) {
        let note = Note(status: status, reason: reason)
        channel.eventLoop.execute {
            guard let guardHandler = try? channel.pipeline.syncOperations.handler(type: RequestHeadGuard.self) else { return }
            guardHandler.upgradeRefusal = note
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response) where response.status == .badRequest:
            guard let guardHandler = try? context.pipeline.syncOperations.handler(type: RequestHeadGuard.self),
                  let note = guardHandler.upgradeRefusal else { break }
            guardHandler.upgradeRefusal = nil
            counters.count(.upgradeRefused)
            rewriting = true
            let body = ByteBuffer(string: note.reason + "\n")
            let head = HTTPResponse(status: note.status, headerFields: [
                .contentType: "text/plain; charset=utf-8",
                .contentLength: "\(body.readableBytes)",
                .connection: "close",
            ])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: promise)
            return
        case .body where rewriting:
            promise?.succeed()  // Hummingbird's empty body gives way to the reason
            return
        case .end:
            rewriting = false
        default:
            break
        }
        context.write(data, promise: promise)
    }
}
