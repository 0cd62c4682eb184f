import Foundation
import Signal
import XCTest
@testable import CLI

final class TokenCreateTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let verifier = AccessTokenVerifier(keys: ["devkey": "secret"])

    private func create(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let command = try TokenCommand.Create.parse(arguments + ["--api-key", "devkey", "--api-secret", "secret"])
        return try await command.makeToken(environment: environment, now: now)
    }

    func testDefaultGrantsMakeAJoinTokenTheVerifierAccepts() async throws {
        let token = try await create(["--room", "lobby", "--identity", "alice", "--name", "Alice", "--metadata", "{\"a\":1}"])
        let claims = try await verifier.verify(token, now: now)
        XCTAssertEqual(claims.iss, "devkey")
        XCTAssertEqual(claims.sub, "alice")
        XCTAssertEqual(claims.name, "Alice")
        XCTAssertEqual(claims.metadata, "{\"a\":1}")
        XCTAssertEqual(claims.nbf?.value, now)
        XCTAssertEqual(claims.exp?.value, now.addingTimeInterval(6 * 3600))
        let video = try XCTUnwrap(claims.video)
        XCTAssertEqual(video.roomJoin, true)
        XCTAssertEqual(video.room, "lobby")
        XCTAssertEqual(video.canPublish, true)
        XCTAssertEqual(video.canSubscribe, true)
        XCTAssertEqual(video.canPublishData, true)
        XCTAssertNil(video.roomAdmin)
        XCTAssertNil(video.roomCreate)
        XCTAssertNoThrow(try claims.checkJoin(room: "lobby"))
        XCTAssertThrowsError(try claims.checkJoin(room: "other"))
    }

    func testJWTHeaderIsHS256AndClaimsUseLiveKitNames() async throws {
        let token = try await create(["--room", "r", "--identity", "i", "--valid-for", "30m"])
        let parts = token.split(separator: ".").map(String.init)
        XCTAssertEqual(parts.count, 3)
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: base64URLDecode(parts[0])) as? [String: Any])
        XCTAssertEqual(header["alg"] as? String, "HS256")
        let payload = try XCTUnwrap(JSONSerialization.jsonObject(with: base64URLDecode(parts[1])) as? [String: Any])
        XCTAssertEqual(payload["iss"] as? String, "devkey")
        XCTAssertEqual(payload["sub"] as? String, "i")
        let exp = try XCTUnwrap(payload["exp"] as? NSNumber).doubleValue
        let nbf = try XCTUnwrap(payload["nbf"] as? NSNumber).doubleValue
        XCTAssertEqual(exp - nbf, 1800)
        let video = try XCTUnwrap(payload["video"] as? [String: Any])
        XCTAssertEqual(video["roomJoin"] as? Bool, true)
        XCTAssertEqual(video["room"] as? String, "r")
    }

    func testExplicitGrantsRestrictTheJoin() async throws {
        let token = try await create(["--room", "r", "--identity", "viewer", "--grant", "join", "--grant", "subscribe", "--grant", "hidden"])
        let verified = try await verifier.verify(token, now: now)
        let video = try XCTUnwrap(verified.video)
        XCTAssertEqual(video.roomJoin, true)
        XCTAssertEqual(video.canSubscribe, true)
        XCTAssertEqual(video.canPublish, false, "a token without the publish grant must say so explicitly")
        XCTAssertEqual(video.canPublishData, false)
        XCTAssertEqual(video.hidden, true)
    }

    func testServerGrantsWithoutJoin() async throws {
        let token = try await create(["--room", "r", "--grant", "admin", "--grant", "create", "--grant", "list", "--grant", "record", "--grant", "agent", "--grant", "update-metadata"])
        let claims = try await verifier.verify(token, now: now)
        XCTAssertNil(claims.sub)
        let video = try XCTUnwrap(claims.video)
        XCTAssertEqual(video.roomAdmin, true)
        XCTAssertEqual(video.room, "r")
        XCTAssertEqual(video.roomCreate, true)
        XCTAssertEqual(video.roomList, true)
        XCTAssertEqual(video.roomRecord, true)
        XCTAssertEqual(video.agent, true)
        XCTAssertEqual(video.canUpdateOwnMetadata, true)
        XCTAssertNil(video.roomJoin)
    }

    func testWrongSecretOrExpiryIsRefused() async throws {
        let token = try await create(["--room", "r", "--identity", "i", "--valid-for", "1h"])
        do {
            _ = try await AccessTokenVerifier(keys: ["devkey": "another-secret"]).verify(token, now: now)
            XCTFail("a token signed with another secret must not verify")
        } catch {}
        do {
            _ = try await verifier.verify(token, now: now.addingTimeInterval(3600 + 120))
            XCTFail("an expired token must not verify")
        } catch {}
    }

    func testEnvironmentCredentials() async throws {
        let command = try TokenCommand.Create.parse(["--room", "r", "--identity", "i"])
        let token = try await command.makeToken(environment: ["SFU_API_KEY": "devkey", "SFU_API_SECRET": "secret"], now: now)
        let claims = try await verifier.verify(token, now: now)
        XCTAssertEqual(claims.iss, "devkey")
        do {
            _ = try await command.makeToken(environment: [:], now: now)
            XCTFail("missing key must fail")
        } catch let error as ConfigurationError {
            XCTAssertEqual(error, .missingAPIKey)
        }
    }

    func testRefusedRequests() async throws {
        do {
            _ = try await create(["--identity", "i"])
            XCTFail("join without room")
        } catch let error as TokenRequestError {
            XCTAssertEqual(error, .roomRequired(.join))
        }
        do {
            _ = try await create(["--room", "r"])
            XCTFail("join without identity")
        } catch let error as TokenRequestError {
            XCTAssertEqual(error, .identityRequired)
        }
        do {
            _ = try await create(["--room", "r", "--identity", "i", "--valid-for", "soon"])
            XCTFail("bad duration")
        } catch {
            XCTAssertTrue("\(error)".contains("valid-for"), "\(error)")
        }
        XCTAssertThrowsError(try TokenCommand.Create.parse(["--grant", "superuser"]))
    }

    func testCommandTreeParses() throws {
        let root = CLIRootForTests.self
        XCTAssertTrue(try root.parseAsRoot(["token", "create", "--room", "r", "--identity", "i"]) is TokenCommand.Create)
        XCTAssertTrue(try root.parseAsRoot(["room", "create", "demo", "--empty-timeout", "30", "--max-participants", "4"]) is RoomCommand.Create)
        XCTAssertTrue(try root.parseAsRoot(["participant", "remove", "demo", "bob"]) is ParticipantCommand.Remove)
        XCTAssertTrue(try root.parseAsRoot(["dispatch", "delete", "--room", "demo", "AD_1"]) is DispatchCommand.Delete)
        let create = try XCTUnwrap(try root.parseAsRoot(["room", "create", "demo", "--empty-timeout", "30", "--departure-timeout", "5", "--max-participants", "4", "--metadata", "m"]) as? RoomCommand.Create)
        XCTAssertEqual(create.request.name, "demo")
        XCTAssertEqual(create.request.emptyTimeout, 30)
        XCTAssertEqual(create.request.departureTimeout, 5)
        XCTAssertEqual(create.request.maxParticipants, 4)
        XCTAssertEqual(create.request.metadata, "m")
    }
}

import ArgumentParser

struct CLIRootForTests: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sfu", subcommands: CLICommands.all)
}

func base64URLDecode(_ text: String) -> Data {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64) ?? Data()
}
