import Foundation
import Hummingbird
import Logging
import Signal
import SwiftProtobuf

/// Twirp (protobuf or JSON over HTTP POST) at `/twirp/livekit.<Service>/<Method>`
/// (PROTOCOL.md §8). Each method names its request/response types and the grant it needs.
struct TwirpRoutes: Sendable {
    let verifier: AccessTokenVerifier
    let logger: Logger
    let methods: [String: TwirpMethod]
    /// Set with `[redis]`: room-scoped calls reach the room's node, listings every node.
    let forwarder: TwirpForwarder?
    static let maxBodySize = 4 << 20

    init(verifier: AccessTokenVerifier, logger: Logger, services: [TwirpService], forwarder: TwirpForwarder? = nil) {
        self.verifier = verifier
        self.logger = logger
        self.forwarder = forwarder
        var methods: [String: TwirpMethod] = [:]
        for service in services {
            for method in service.methods { methods["\(service.name)/\(method.name)"] = method }
        }
        self.methods = methods
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("twirp/:service/:method") { request, context in
            await handle(request, service: context.parameters.get("service") ?? "", method: context.parameters.get("method") ?? "")
        }
    }

    private func handle(_ request: Request, service: String, method: String) async -> Response {
        guard let handler = methods["\(service)/\(method)"] else {
            return TwirpError.badRoute("no such method: \(service)/\(method)").response
        }
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        let json: Bool
        if contentType.hasPrefix("application/json") {
            json = true
        } else if contentType.hasPrefix("application/protobuf") || contentType.hasPrefix("application/x-protobuf") {
            json = false
        } else {
            return TwirpError.badRoute("unsupported Content-Type \"\(contentType)\": use application/protobuf or application/json").response
        }
        guard let token = HTTPResponses.bearerToken(request) else {
            return TwirpError.unauthenticated("no Authorization: Bearer token").response
        }
        let claims: AccessTokenClaims
        do {
            claims = try await verifier.verify(token)
        } catch {
            return TwirpError.unauthenticated(error.reason).response
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBodySize)
        } catch {
            return TwirpError.malformed("request body larger than \(Self.maxBodySize) bytes").response
        }
        let bytes = Array(body.readableBytesView)
        if let forwarder, request.headers[TwirpForwarder.forwardedField] == nil {
            let call = TwirpForwarder.Call(path: "/twirp/\(service)/\(method)", contentType: contentType, token: token, body: bytes)
            do {
                if let reply = try await forwarder.route(call, method: handler, json: json, local: { try await handler.call(bytes, json, claims) }) {
                    return reply.response
                }
            } catch let error as TwirpError {
                return error.response
            } catch let error as AdminError {
                return Self.response(for: error)
            } catch {
                logger.warning("twirp \(service)/\(method): forwarding failed: \(error)")
                return TwirpError(code: "unavailable", message: "the deployment could not answer: \(error)").response
            }
        }
        do {
            let output = try await handler.call(bytes, json, claims)
            return Response(status: .ok, headers: [.contentType: json ? "application/json" : "application/protobuf"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: output)))
        } catch let error as TwirpError {
            if error.status == .internalServerError { logger.error("twirp \(service)/\(method): \(error.message)") }
            return error.response
        } catch let error as AdminError {
            return Self.response(for: error)
        } catch {
            logger.error("twirp \(service)/\(method): \(error)")
            return TwirpError(code: "internal", message: "\(error)").response
        }
    }
}

extension TwirpRoutes {
    static func twirpError(for error: AdminError) -> TwirpError {
        switch error {
        case .notFound(let why): return TwirpError(code: "not_found", message: why)
        case .invalidArgument(let why): return TwirpError(code: "invalid_argument", message: why)
        case .permissionDenied(let why): return TwirpError.permissionDenied(why)
        case .unavailable(let why): return TwirpError(code: "unavailable", message: why)
        }
    }

    static func response(for error: AdminError) -> Response { twirpError(for: error).response }
}

/// What a method needs from the caller's token.
enum TwirpGrant: Sendable {
    case roomCreate, roomList, roomRecord
    /// `roomAdmin` for the room the request names.
    case roomAdmin

    func check(_ claims: AccessTokenClaims, room: String) throws {
        let video = claims.video
        switch self {
        case .roomCreate:
            guard video?.roomCreate == true else { throw TwirpError.permissionDenied("permissions denied: roomCreate grant required") }
        case .roomList:
            guard video?.roomList == true else { throw TwirpError.permissionDenied("permissions denied: roomList grant required") }
        case .roomRecord:
            guard video?.roomRecord == true else { throw TwirpError.permissionDenied("permissions denied: roomRecord grant required") }
        case .roomAdmin:
            guard video?.roomAdmin == true else { throw TwirpError.permissionDenied("permissions denied: roomAdmin grant required") }
            guard let granted = video?.room, granted == room else {
                throw TwirpError.permissionDenied("permissions denied: token is for room \"\(video?.room ?? "")\", not \"\(room)\"")
            }
        }
    }
}

/// One Twirp method: decodes its request, checks the grant, runs, encodes the response.
struct TwirpMethod: Sendable {
    let name: String
    let call: @Sendable (_ body: [UInt8], _ json: Bool, _ claims: AccessTokenClaims) async throws -> [UInt8]
    /// Which node answers it in a deployment.
    let routing: TwirpRouting
    /// The room a request names (nil if it cannot be decoded: the local call then says why).
    let roomOf: @Sendable (_ body: [UInt8], _ json: Bool) -> String?

    static let jsonDecoding: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }()

    /// Twirp's JSON: original (snake_case) field names. (This swift-protobuf has no option to
    /// emit default values; readers treat absent fields as defaults.)
    static let jsonEncoding: JSONEncodingOptions = {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        return options
    }()

    init<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
        _ name: String, grant: TwirpGrant, room: @escaping @Sendable (Input) -> String = { _ in "" },
        routing: TwirpRouting = .here, routedBy: (@Sendable (Input) -> String)? = nil,
        _ body: @escaping @Sendable (Input) async throws -> Output
    ) {
        self.name = name
        self.routing = routing
        let routeRoom = routedBy ?? room
        self.roomOf = { bytes, json in
            let input = json ? try? Input(jsonUTF8Bytes: bytes, options: Self.jsonDecoding) : try? Input(serializedBytes: bytes)
            return input.map(routeRoom)
        }
        self.call = { bytes, json, claims in
            let input: Input
            do {
                input = json ? try Input(jsonUTF8Bytes: bytes, options: Self.jsonDecoding) : try Input(serializedBytes: bytes)
            } catch {
                throw TwirpError.malformed("the request could not be decoded: \(error)")
            }
            try grant.check(claims, room: room(input))
            let output = try await body(input)
            if json {
                let bytes: [UInt8] = try output.jsonUTF8Bytes(options: Self.jsonEncoding)
                return bytes
            }
            let bytes: [UInt8] = try output.serializedBytes()
            return bytes
        }
    }
}

struct TwirpService: Sendable {
    let name: String
    let methods: [TwirpMethod]
}
