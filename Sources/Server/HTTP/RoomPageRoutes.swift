import Foundation
import Hummingbird
import JWTKit
import Signal

/// The built-in room page (`/`, plain HTML/CSS/JS from the `Web` resource folder) and, in dev
/// mode only, `/dev/token` to get a room token without a backend.
///
/// Dev mode means the configured keys are exactly the well-known development pair
/// (`devkey = "secret"`): a server with any production key never mints tokens here.
struct RoomPageRoutes: Sendable {
    private struct DevToken: Encodable {
        var token: String
        var identity: String
        var room: String
    }

    let keys: [String: String]
    static let devKeys = ["devkey": "secret"]
    var devMode: Bool { keys == Self.devKeys }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/") { _, _ in serve("index.html") }
        router.get("web/:file") { _, context in serve(context.parameters.get("file") ?? "") }
        router.get("dev/token") { request, _ in await devToken(request) }
    }

    static let types = ["html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8",
                        "css": "text/css; charset=utf-8", "png": "image/png", "svg": "image/svg+xml"]

    private func serve(_ name: String) -> Response {
        // Only plain file names from the bundled folder: no paths, no dot files.
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"), !name.contains("\\"),
              let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Web"),
              let data = FileManager.default.contents(atPath: url.path) else {
            return HTTPResponses.text(.notFound, "not found")
        }
        let type = Self.types[url.pathExtension] ?? "application/octet-stream"
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func devToken(_ request: Request) async -> Response {
        guard devMode else {
            return HTTPResponses.text(.notFound, "dev tokens are only served with the development keys (devkey = \"secret\")")
        }
        let query = SignalRoutes.query(request)
        guard let room = query["room"], !room.isEmpty, room.count <= 128,
              let identity = query["identity"], !identity.isEmpty, identity.count <= 128 else {
            return HTTPResponses.text(.badRequest, "room and identity are required")
        }
        var grant = VideoGrant()
        grant.roomJoin = true
        grant.room = room
        grant.canPublish = true
        grant.canSubscribe = true
        grant.canPublishData = true
        grant.canUpdateOwnMetadata = true
        grant.roomRecord = true
        var claims = AccessTokenClaims()
        claims.iss = "devkey"
        claims.sub = identity
        claims.name = query["name"] ?? identity
        claims.nbf = NotBeforeClaim(value: Date().addingTimeInterval(-5))
        claims.exp = ExpirationClaim(value: Date().addingTimeInterval(6 * 3600))
        claims.video = grant
        do {
            let token = try await AccessTokenSigner.sign(claims, secret: Self.devKeys["devkey"]!)
            return JSONResponse.make(status: .ok, DevToken(token: token, identity: identity, room: room))
        } catch {
            return HTTPResponses.text(.internalServerError, "cannot sign: \(error)")
        }
    }
}
