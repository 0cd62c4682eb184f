import Hummingbird
import HummingbirdTesting
import XCTest
@testable import Server

/// `CrossOriginMiddleware` on a router shaped like ours: preflights on known and unknown paths,
/// and the allow-origin header on successes, thrown errors and the router's own 404.
final class CrossOriginPolicyTests: XCTestCase {
    static let origin = "http://127.0.0.1:5173"

    private func application() -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: CrossOriginMiddleware())
        router.get("rtc/validate") { request, _ -> Response in
            guard request.headers[.authorization] != nil else { throw HTTPError(.unauthorized, message: "no access token") }
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "success\n")))
        }
        router.post("twirp/livekit.RoomService/ListRooms") { _, _ in
            Response(status: .forbidden, headers: [.contentType: "application/json"])
        }
        return Application(router: router)
    }

    func testPreflightOnAGetRouteEchoesTheRequestedHeaders() async throws {
        try await application().test(.router) { client in
            let headers: HTTPFields = [
                .origin: Self.origin, .accessControlRequestMethod: "GET",
                .accessControlRequestHeaders: "authorization,x-livekit-request-id",
            ]
            try await client.execute(uri: "/rtc/validate?room=x", method: .options, headers: headers) { response in
                XCTAssertEqual(response.status, .noContent)
                XCTAssertEqual(response.headers[.accessControlAllowOrigin], Self.origin)
                XCTAssertEqual(response.headers[.accessControlAllowHeaders], "authorization,x-livekit-request-id")
                XCTAssertEqual(response.headers[.accessControlAllowMethods], "OPTIONS, HEAD, GET, POST, PATCH, DELETE")
                XCTAssertEqual(response.headers[.accessControlMaxAge], "86400")
            }
        }
    }

    func testPreflightOnAnUnknownPathIsAnsweredToo() async throws {
        try await application().test(.router) { client in
            let headers: HTTPFields = [.origin: Self.origin, .accessControlRequestMethod: "GET"]
            try await client.execute(uri: "/rtc/v1/validate", method: .options, headers: headers) { response in
                XCTAssertEqual(response.status, .noContent)
                XCTAssertEqual(response.headers[.accessControlAllowOrigin], Self.origin)
                XCTAssertEqual(response.headers[.accessControlAllowHeaders], "*")
            }
        }
    }

    func testAnswersCarryTheOriginAndExposeEveryHeader() async throws {
        try await application().test(.router) { client in
            let headers: HTTPFields = [.origin: Self.origin, .authorization: "Bearer x"]
            try await client.execute(uri: "/rtc/validate", method: .get, headers: headers) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.accessControlAllowOrigin], Self.origin)
                XCTAssertEqual(response.headers[.accessControlExposeHeaders], "*")
                XCTAssertEqual(response.headers[.vary], "Origin")
                XCTAssertEqual(String(buffer: response.body), "success\n")
            }
        }
    }

    func testErrorsAndUnknownPathsCarryTheOrigin() async throws {
        try await application().test(.router) { client in
            let headers: HTTPFields = [.origin: Self.origin]
            try await client.execute(uri: "/rtc/validate", method: .get, headers: headers) { response in
                XCTAssertEqual(response.status, .unauthorized)
                XCTAssertEqual(response.headers[.accessControlAllowOrigin], Self.origin)
            }
            try await client.execute(uri: "/twirp/livekit.RoomService/ListRooms", method: .post, headers: headers) { response in
                XCTAssertEqual(response.status, .forbidden)
                XCTAssertEqual(response.headers[.accessControlAllowOrigin], Self.origin)
            }
            try await client.execute(uri: "/rtc/v1/validate", method: .get, headers: headers) { response in
                XCTAssertEqual(response.status, .notFound)
                XCTAssertEqual(response.headers[.accessControlAllowOrigin], Self.origin)
            }
        }
    }

    func testNoOriginGetsTheWildcard() async throws {
        try await application().test(.router) { client in
            try await client.execute(uri: "/nowhere", method: .get) { response in
                XCTAssertEqual(response.status, .notFound)
                XCTAssertEqual(response.headers[.accessControlAllowOrigin], "*")
                XCTAssertNil(response.headers[.vary])
            }
        }
    }
}
