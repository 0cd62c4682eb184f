import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SFU
import Signal

/// WHIP (RFC 9725) ingest at `/whip/{room}` and WHEP playback at `/whep/{room}`.
/// `Authorization: Bearer <LiveKit JWT>` with `roomJoin` for the room, plus `canPublish`
/// (WHIP) or `canSubscribe` (WHEP). The session resource (`Location`) accepts DELETE to end
/// the session (RFC 9725 §4.2) and PATCH for trickled candidates, which an ICE-lite server
/// does not need (§4.3.1), so they are acknowledged and ignored.
struct WHIPRoutes: Sendable {
    let engine: MediaEngine
    let verifier: AccessTokenVerifier
    let logger: Logger
    /// A draining node takes no new room, WHIP's included.
    var drain: DrainFlag?
    /// Set with `[redis]`: a session for a room on another node is redirected there.
    var directory: RoomDirectory?
    /// `[turn]`: each answer carries the relays and a credential for the session in `Link`
    /// headers (RFC 9725 §4.6).
    var turn: TURNRelays?
    static let maxOfferSize = 64 * 1024
    static let link = HTTPField.Name("Link")!

    func register<Context: RequestContext>(on router: Router<Context>) {
        for (prefix, direction) in [("whip", IngestDirection.publish), ("whep", IngestDirection.play)] {
            router.post("\(prefix)/:room") { request, context in
                await create(request, context: context, direction: direction, prefix: prefix)
            }
            router.delete("\(prefix)/:room/:session") { request, context in
                await delete(request, context: context)
            }
            router.patch("\(prefix)/:room/:session") { request, context in
                await patch(request, context: context)
            }
        }
    }

    private func authorize(_ request: Request, room: String, direction: IngestDirection?) async -> Response? {
        guard let token = HTTPResponses.bearerToken(request) else {
            return HTTPResponses.text(.unauthorized, "missing Authorization: Bearer token")
        }
        do {
            let claims = try await verifier.verify(token)
            try claims.checkJoin(room: room)
            switch direction {
            case .publish where !claims.canPublish:
                return HTTPResponses.text(.forbidden, "permissions denied: token lacks canPublish")
            case .play where !claims.canSubscribe:
                return HTTPResponses.text(.forbidden, "permissions denied: token lacks canSubscribe")
            default:
                return nil
            }
        } catch {
            return HTTPResponses.text(HTTPResponse.Status(tokenStatus: error.status), error.reason)
        }
    }

    private func create(_ request: Request, context: some RequestContext, direction: IngestDirection, prefix: String) async -> Response {
        guard let room = context.parameters.get("room"), !room.isEmpty else {
            return HTTPResponses.text(.badRequest, "missing room")
        }
        if let refusal = await authorize(request, room: room, direction: direction) { return refusal }
        if let directory {
            // RFC 9725 §4.5: the endpoint may redirect with 307; the session is then the other node's.
            do {
                if case .remote(let id) = try await directory.route(room), let node = try await directory.node(id) {
                    return Response(status: .temporaryRedirect, headers: [.location: "http://\(node.http)/\(prefix)/\(room)"])
                }
            } catch {
                return HTTPResponses.text(.serviceUnavailable, "\(error)")
            }
        } else if drain?.isDraining == true, !engine.hostsRoom(room) {
            return HTTPResponses.text(.serviceUnavailable, "node is draining: room \(room) cannot be created here")
        }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/sdp") else {
            return HTTPResponses.text(.unsupportedMediaType, "Content-Type must be application/sdp")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxOfferSize)
        } catch {
            return HTTPResponses.text(.contentTooLarge, "offer larger than \(Self.maxOfferSize) bytes")
        }
        let offer = String(buffer: body)
        do {
            let answer = try await engine.createSession(room: room, direction: direction, offer: offer)
            var headers: HTTPFields = [.contentType: "application/sdp", .location: "/\(prefix)/\(room)/\(answer.sessionID)",
                                       .eTag: "\"\(answer.sessionID)\""]
            for link in turn?.linkHeaders(identity: "\(prefix)-\(answer.sessionID)", now: Date()) ?? [] {
                headers.append(HTTPField(name: Self.link, value: link))
            }
            return Response(status: .created, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: answer.sdp)))
        } catch let error as MediaSessionError {
            if case .badOffer = error {
                logger.info("\(prefix) \(room): refused offer: \(error)")
                return HTTPResponses.text(.badRequest, error.description)
            }
            logger.error("\(prefix) \(room): \(error)")
            return HTTPResponses.text(.internalServerError, error.description)
        } catch {
            logger.error("\(prefix) \(room): \(error)")
            return HTTPResponses.text(.internalServerError, "internal error")
        }
    }

    private func delete(_ request: Request, context: some RequestContext) async -> Response {
        guard let room = context.parameters.get("room"), let session = context.parameters.get("session") else {
            return HTTPResponses.text(.badRequest, "missing room or session")
        }
        if let refusal = await authorize(request, room: room, direction: nil) { return refusal }
        guard await engine.deleteSession(room: room, sessionID: session) else {
            return HTTPResponses.text(.notFound, "no such session")
        }
        return Response(status: .ok)
    }

    private func patch(_ request: Request, context: some RequestContext) async -> Response {
        guard let room = context.parameters.get("room"), let session = context.parameters.get("session") else {
            return HTTPResponses.text(.badRequest, "missing room or session")
        }
        if let refusal = await authorize(request, room: room, direction: nil) { return refusal }
        guard await engine.hasSession(room: room, sessionID: session) else {
            return HTTPResponses.text(.notFound, "no such session")
        }
        return Response(status: .noContent)
    }
}
