import ArgumentParser
import Foundation
import Signal
import SwiftProtobuf
import XCTest
@testable import CLI

final class TwirpRoundTripTests: XCTestCase {
    let verifier = AccessTokenVerifier(keys: ["devkey": "secret"])

    private func client(_ server: LoopbackHTTPServer) -> ServerAPIClient {
        ServerAPIClient(connection: ServerConnection(url: server.url, apiKey: "devkey", apiSecret: "secret"), timeout: 5)
    }

    private func bearerClaims(_ request: CapturedRequest) async throws -> AccessTokenClaims {
        let header = try XCTUnwrap(request.headers["authorization"])
        XCTAssertTrue(header.hasPrefix("Bearer "))
        return try await verifier.verify(String(header.dropFirst("Bearer ".count)))
    }

    func testListRoomsRoundTrip() async throws {
        var reply = Livekit_ListRoomsResponse()
        var room = Livekit_Room()
        room.name = "lobby"
        room.sid = "RM_abc"
        room.numParticipants = 3
        room.creationTime = 1_700_000_000
        reply.rooms = [room]
        let body = try reply.serializedData()
        let server = try LoopbackHTTPServer { _ in CannedResponse(status: 200, contentType: "application/protobuf", body: body) }
        defer { server.stop() }

        let response = try await client(server).listRooms()
        XCTAssertEqual(response.rooms.map(\.name), ["lobby"])
        XCTAssertEqual(response.rooms.first?.numParticipants, 3)

        let request = try XCTUnwrap(server.captured.first)
        XCTAssertEqual(request.requestLine, "POST /twirp/livekit.RoomService/ListRooms HTTP/1.1")
        XCTAssertEqual(request.headers["content-type"], "application/protobuf")
        XCTAssertNoThrow(try Livekit_ListRoomsRequest(serializedBytes: request.body))
        let claims = try await bearerClaims(request)
        let video = try XCTUnwrap(claims.video)
        XCTAssertEqual(video.roomList, true)
        XCTAssertNil(video.roomCreate)
        XCTAssertNil(video.roomAdmin)

        let table = ListingTables.rooms(response.rooms).render()
        XCTAssertEqual(table, """
            NAME   SID     PARTICIPANTS  CREATED
            lobby  RM_abc  3             2023-11-14 22:13:20
            """)
        // `--json`: the protobuf JSON mapping (lowerCamelCase names, int64 as strings).
        let json = try JSONRendering.render(response)
        XCTAssertTrue(json.contains(#""name":"lobby""#), json)
        XCTAssertTrue(json.contains(#""numParticipants":3"#), json)
        XCTAssertTrue(json.contains(#""creationTime":"1700000000""#), json)
    }

    func testParticipantAndDispatchCallsCarryRoomAdminForTheirRoom() async throws {
        var dispatch = Livekit_AgentDispatch()
        dispatch.id = "AD_1"
        dispatch.agentName = "echo-agent"
        dispatch.room = "call-7"
        let dispatchBody = try dispatch.serializedData()
        let server = try LoopbackHTTPServer { request in
            if request.requestLine.contains("CreateDispatch") {
                return CannedResponse(status: 200, contentType: "application/protobuf", body: dispatchBody)
            }
            return CannedResponse(status: 200, contentType: "application/protobuf", body: Data())
        }
        defer { server.stop() }
        let api = client(server)

        _ = try await api.removeParticipant(room: "call-7", identity: "bob")
        let created = try await api.createDispatch(room: "call-7", agentName: "echo-agent", metadata: "{\"simulation_service\":\"echo\"}")
        XCTAssertEqual(created.id, "AD_1")

        let requests = server.captured
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests[0].requestLine, "POST /twirp/livekit.RoomService/RemoveParticipant HTTP/1.1")
        let remove = try Livekit_RoomParticipantIdentity(serializedBytes: requests[0].body)
        XCTAssertEqual(remove.room, "call-7")
        XCTAssertEqual(remove.identity, "bob")
        XCTAssertEqual(requests[1].requestLine, "POST /twirp/livekit.AgentDispatchService/CreateDispatch HTTP/1.1")
        let createRequest = try Livekit_CreateAgentDispatchRequest(serializedBytes: requests[1].body)
        XCTAssertEqual(createRequest.agentName, "echo-agent")
        XCTAssertEqual(createRequest.metadata, "{\"simulation_service\":\"echo\"}")
        for request in requests {
            let claims = try await bearerClaims(request)
        let video = try XCTUnwrap(claims.video)
            XCTAssertEqual(video.roomAdmin, true)
            XCTAssertEqual(video.room, "call-7")
            XCTAssertNil(video.roomJoin)
        }
    }

    func testTwirpErrorBecomesCodeAndMessage() async throws {
        let errorBody = Data(#"{"code":"not_found","msg":"room does not exist"}"#.utf8)
        let server = try LoopbackHTTPServer { _ in CannedResponse(status: 404, contentType: "application/json", body: errorBody) }
        defer { server.stop() }

        do {
            _ = try await client(server).deleteRoom("ghost")
            XCTFail("a 404 must throw")
        } catch {
            guard case .twirp(let twirp) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(twirp, .server(status: 404, code: "not_found", msg: "room does not exist"))
            XCTAssertEqual(error.description, "not_found: room does not exist")
        }
        let request = try XCTUnwrap(server.captured.first)
        XCTAssertEqual(request.requestLine, "POST /twirp/livekit.RoomService/DeleteRoom HTTP/1.1")
        let claims = try await bearerClaims(request)
        XCTAssertEqual(claims.video?.roomCreate, true)
        XCTAssertEqual(try Livekit_DeleteRoomRequest(serializedBytes: request.body).room, "ghost")

        // The command itself reports and exits 1.
        let command = try XCTUnwrap(try CLIRootForTests.parseAsRoot(
            ["room", "delete", "ghost", "--url", server.url, "--api-key", "devkey", "--api-secret", "secret"]
        ) as? RoomCommand.Delete)
        do {
            try await command.run()
            XCTFail("the command must fail")
        } catch let exit as ExitCode {
            XCTAssertEqual(exit, .failure)
        }
    }

    func testNonTwirpErrorAndGarbageReply() async throws {
        let server = try LoopbackHTTPServer { request in
            if request.requestLine.contains("ListRooms") {
                return CannedResponse(status: 200, contentType: "application/protobuf", body: Data([0xFF, 0xFF, 0xFF]))
            }
            return CannedResponse(status: 503, contentType: "text/html", body: Data("<h1>down</h1>".utf8))
        }
        defer { server.stop() }
        do {
            _ = try await client(server).listRooms()
            XCTFail("garbage must not decode")
        } catch {
            guard case .twirp(.malformedResponse) = error else { return XCTFail("\(error)") }
        }
        do {
            _ = try await client(server).listParticipants(room: "r")
            XCTFail("503 must throw")
        } catch {
            guard case .twirp(let twirp) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(twirp, .server(status: 503, code: "unavailable", msg: "<h1>down</h1>"))
        }
    }

    func testConnectionRefusedIsTransportError() async throws {
        let server = try LoopbackHTTPServer { _ in CannedResponse(status: 200, contentType: "", body: Data()) }
        let url = server.url
        server.stop()
        let api = ServerAPIClient(connection: ServerConnection(url: url, apiKey: "devkey", apiSecret: "secret"), timeout: 5)
        do {
            _ = try await api.listRooms()
            XCTFail("nothing listens")
        } catch {
            guard case .twirp(.transport) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.hasPrefix("unavailable: "), error.description)
        }
    }

    func testErrorBodyDecodingNeverTraps() {
        XCTAssertEqual(TwirpErrorBody.decode(Data(#"{"code":"permission_denied","msg":"no roomAdmin"}"#.utf8), status: 403),
                       TwirpErrorBody(code: "permission_denied", msg: "no roomAdmin"))
        XCTAssertEqual(TwirpErrorBody.decode(Data(), status: 401), TwirpErrorBody(code: "unauthenticated", msg: "HTTP status 401"))
        var generator = SplitMix64(seed: 42)
        let seed = Array(#"{"code":"x","msg":"y"}"#.utf8)
        for _ in 0..<2_000 {
            var bytes = seed
            for _ in 0..<Int(generator.next() % 4) {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count + 1))))
            let decoded = TwirpErrorBody.decode(Data(bytes), status: 500)
            XCTAssertFalse(decoded.code.isEmpty)
        }
    }
}
