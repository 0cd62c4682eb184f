import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import SFU
import Signal
import SwiftProtobuf
import NIOConcurrencyHelpers

/// LiveKit signalling: `/rtc` (WebSocket, binary protobuf frames, two peer connections) and
/// `/rtc/v1` (one peer connection; the join request rides in the query), each with its
/// `validate` route (PROTOCOL.md §1, §12). With `singlePeerConnection` off, `/rtc/v1` is not
/// routed (SingleConnectionModeRefusal answers 404) and the SDKs fall back to `/rtc`.
struct SignalRoutes: Sendable {
    let service: LiveKitService
    let verifier: AccessTokenVerifier
    let logger: Logger
    var singlePeerConnection = true
    /// Set with `[redis]`: rooms placed across the deployment, sessions relayed to their room's node.
    var cluster: ClusterSignalling?
    static let maxFrameSize = 1 << 20

    func register(on router: Router<SignallingRequestContext>) {
        router.get("rtc/validate") { request, _ in await validate(request) }
        router.ws("rtc", shouldUpgrade: { request, context in
            try await context.checkingUpgrade { try await admit(request) }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            let query = Self.query(context.request)
            try await upgraded(context.request, parameters: JoinParameters(query: query), singlePeer: false,
                               inbound: inbound, outbound: outbound)
        })
        guard singlePeerConnection else { return }
        router.get("rtc/v1/validate") { request, _ in await validate(request, singlePeer: true) }
        router.ws("rtc/v1", shouldUpgrade: { request, context in
            try await context.checkingUpgrade {
                try await admit(request)
                _ = try Self.singlePeerParameters(request)
            }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            let parameters: JoinParameters
            do {
                parameters = try Self.singlePeerParameters(context.request)
            } catch {
                try await outbound.close(.policyViolation, reason: "bad join_request")
                return
            }
            try await upgraded(context.request, parameters: parameters, singlePeer: true, inbound: inbound, outbound: outbound)
        })
    }

    /// `/rtc/v1`: the JoinRequest from `join_request` (a 400 with the reason when it is bad).
    static func singlePeerParameters(_ request: Request) throws -> JoinParameters {
        try singlePeerParameters(query: query(request))
    }

    static func singlePeerParameters(query: [String: String]) throws -> JoinParameters {
        guard let text = query["join_request"], !text.isEmpty else {
            throw HTTPError(.badRequest, message: "join_request is missing")
        }
        do throws(WrappedJoinRequestDecoder.Failure) {
            return JoinParameters(joinRequest: try WrappedJoinRequestDecoder.decode(text))
        } catch {
            throw HTTPError(.badRequest, message: error.description)
        }
    }

    private func upgraded(_ request: Request, parameters: JoinParameters, singlePeer: Bool,
                          inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        guard let claims = try? await authorize(request), let room = claims.video?.room else {
            try await outbound.close(.policyViolation, reason: "unauthorized")
            return
        }
        // Browsers without a protobuf library may speak the protobuf JSON mapping in text
        // frames (`format=json`); we answer in kind. SDKs use binary protobuf.
        let query = Self.query(request)
        let json = FrameFormat(jsonRequested: query["format"] == "json")
        if let cluster {
            let route: RoomDirectory.Route
            do {
                route = try await cluster.directory.route(room)
            } catch {
                logger.warning("join of \(claims.identity) to \(room): \(error)")
                service.joins.failed()
                try await outbound.close(.unexpectedServerError, reason: "\(error)")
                return
            }
            if case .remote(let node) = route {
                let open = RelayFrame.Open(edge: cluster.relay.nodeID, token: Self.token(request) ?? "", query: query, singlePeer: singlePeer)
                try await relay(open, to: node, relay: cluster.relay, identity: claims.identity, json: json, inbound: inbound, outbound: outbound)
                return
            }
        }
        try await serve(claims: claims, parameters: parameters, json: json, inbound: inbound, outbound: outbound)
    }

    static let jsonDecoding: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }()

    static func query(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        return query
    }

    static func token(_ request: Request) -> String? {
        HTTPResponses.bearerToken(request) ?? query(request)["access_token"]
    }

    /// Before a signalling upgrade: the token may join, and a draining node is not asked to
    /// create a room (503, so the client or load balancer tries another node). Each refusal
    /// counts as a join failure.
    private func admit(_ request: Request) async throws {
        do {
            let claims = try await authorize(request)
            // In a deployment, a draining node relays a new room's joins to another node instead.
            if cluster == nil, let room = claims.video?.room, service.drain.isDraining, !service.engine.hostsRoom(room) {
                throw HTTPError(.serviceUnavailable, message: "node is draining: room \(room) cannot be created here")
            }
        } catch {
            service.joins.failed()
            throw error
        }
    }

    /// The token's claims, if it may join its room; otherwise an HTTP error with the reason.
    private func authorize(_ request: Request) async throws -> AccessTokenClaims {
        try await authorize(token: Self.token(request))
    }

    func authorize(token: String?) async throws -> AccessTokenClaims {
        guard let token else {
            throw HTTPError(.unauthorized, message: "no access token")
        }
        do throws(TokenError) {
            let claims = try await verifier.verify(token)
            guard let room = claims.video?.room, !room.isEmpty else {
                throw TokenError.forbidden("permissions denied: token has no room")
            }
            try claims.checkJoin(room: room)
            try claims.checkIdentity()
            return claims
        } catch {
            throw HTTPError(HTTPResponse.Status(tokenStatus: error.status), message: error.reason)
        }
    }

    /// 200 `success`, or 401/403 with a plain-text reason (PROTOCOL.md §1); for `/rtc/v1`
    /// also a 400 when the join request is bad.
    private func validate(_ request: Request, singlePeer: Bool = false) async -> Response {
        do {
            _ = try await authorize(request)
            if singlePeer { _ = try Self.singlePeerParameters(request) }
            return HTTPResponses.text(.ok, "success")
        } catch let error as HTTPError {
            return HTTPResponses.text(error.status, error.body ?? "unauthorized")
        } catch {
            return HTTPResponses.text(.unauthorized, "unauthorized")
        }
    }

    private func serve(claims: AccessTokenClaims, parameters: JoinParameters, json: FrameFormat,
                       inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: Livekit_SignalResponse.self)
        let sink = SignalSink(continuation)
        let closeReason = NIOLockedValueBox<String?>(nil)
        LiveObjects.made(.signalConnection)
        defer { LiveObjects.freed(.signalConnection) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await response in stream {
                    if json.isJSON {
                        try await outbound.write(.text(try response.jsonString()))
                    } else {
                        let bytes: [UInt8] = try response.serializedBytes()
                        try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                    }
                }
                try? await outbound.close(.normalClosure, reason: closeReason.withLockedValue { $0 })
            }
            let session: LiveKitService.Session
            do {
                session = try await service.join(claims: claims, parameters: parameters, sink: sink)
            } catch {
                logger.info("join refused for \(claims.identity): \(error)")
                closeReason.withLockedValue { $0 = "\(error)" }
                continuation.finish()
                try await group.waitForAll()
                return
            }
            do {
                for try await message in inbound.messages(maxSize: Self.maxFrameSize) {
                    guard let request = decode(message, json: json, identity: claims.identity) else { break }
                    await service.handle(request, session: session)
                }
            } catch {
                logger.debug("\(claims.identity): signalling read ended: \(error)")
            }
            await service.connectionClosed(session, sink: sink)
            continuation.finish()
            try await group.waitForAll()
        }
    }
}

extension SignalRoutes {
    /// One frame of the participant's socket as a `SignalRequest`; nil (logged) when malformed,
    /// which closes that connection.
    func decode(_ message: WebSocketMessage, json: FrameFormat, identity: String) -> Livekit_SignalRequest? {
        do {
            switch message {
            case .binary(let buffer):
                return try Livekit_SignalRequest(serializedBytes: Array(buffer.readableBytesView))
            case .text(let text):
                json.isJSON = true
                return try Livekit_SignalRequest(jsonString: text, options: Self.jsonDecoding)
            }
        } catch {
            logger.info("\(identity): malformed SignalRequest, closing its connection: \(error)")
            return nil
        }
    }
}

/// Whether a signalling connection speaks binary protobuf or its JSON mapping (set by
/// `format=json` or by the first text frame).
final class FrameFormat: Sendable {
    private let json: NIOLockedValueBox<Bool>
    init(jsonRequested: Bool) { json = NIOLockedValueBox(jsonRequested) }
    var isJSON: Bool {
        get { json.withLockedValue { $0 } }
        set { json.withLockedValue { $0 = newValue } }
    }
}
