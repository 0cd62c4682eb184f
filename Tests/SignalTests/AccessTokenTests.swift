import XCTest
import JWTKit
@testable import Signal

final class AccessTokenTests: XCTestCase {
    let verifier = AccessTokenVerifier(keys: ["devkey": "secret"])

    private func mint(_ claims: AccessTokenClaims, secret: String = "secret") async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: AccessTokenVerifier.hmacKey(secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    private func claims(room: String = "r1", exp: Date = Date().addingTimeInterval(600), publish: Bool? = nil) -> AccessTokenClaims {
        var grant = VideoGrant()
        grant.roomJoin = true
        grant.room = room
        grant.canPublish = publish
        var claims = AccessTokenClaims()
        claims.iss = "devkey"
        claims.sub = "alice"
        claims.exp = ExpirationClaim(value: exp)
        claims.nbf = NotBeforeClaim(value: Date())
        claims.video = grant
        return claims
    }

    func testValidTokenVerifies() async throws {
        let token = try await mint(claims())
        let verified = try await verifier.verify(token)
        XCTAssertEqual(verified.identity, "alice")
        XCTAssertNoThrow(try verified.checkJoin(room: "r1"))
        XCTAssertTrue(verified.canPublish, "LiveKit defaults canPublish to true")
    }

    func testWrongRoomIsForbidden() async throws {
        let verified = try await verifier.verify(try await mint(claims(room: "other")))
        XCTAssertThrowsError(try verified.checkJoin(room: "r1")) { error in
            XCTAssertEqual((error as? TokenError)?.status, 403)
        }
    }

    func testBadSignatureUnknownKeyExpiredGarbage() async throws {
        let forged = try await mint(claims(), secret: "wrong")
        await assertRefused(forged, status: 401)
        var unknown = claims()
        unknown.iss = "nokey"
        await assertRefused(try await mint(unknown), status: 401)
        await assertRefused(try await mint(claims(exp: Date().addingTimeInterval(-120))), status: 401)
        await assertRefused("not.a.jwt", status: 401)
        await assertRefused("", status: 401)
    }

    /// A token signed by another implementation with the raw short secret (PyJWT:
    /// jwt.encode({"iss":"devkey","sub":"bob","exp":4102444800,"video":{"roomJoin":true,"room":"r1"}}, "secret")).
    func testForeignTokenWithShortSecretVerifies() async throws {
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJkZXZrZXkiLCJzdWIiOiJib2IiLCJleHAiOjQxMDI0NDQ4MDAsInZpZGVvIjp7InJvb21Kb2luIjp0cnVlLCJyb29tIjoicjEifX0.W6gUNqrbMqktQ8QdAgRN778VyGpxpkm2w7hnuSNcPiM"
        let verified = try await verifier.verify(token)
        XCTAssertEqual(verified.identity, "bob")
    }

    func testLeewayAcceptsRecentlyExpired() async throws {
        let token = try await mint(claims(exp: Date().addingTimeInterval(-30)))
        let verified = try await verifier.verify(token)
        XCTAssertEqual(verified.identity, "alice")
    }

    func testExplicitNoPublish() async throws {
        let verified = try await verifier.verify(try await mint(claims(publish: false)))
        XCTAssertFalse(verified.canPublish)
    }

    private func assertRefused(_ token: String, status: Int, file: StaticString = #filePath, line: UInt = #line) async {
        do {
            _ = try await verifier.verify(token)
            XCTFail("token accepted", file: file, line: line)
        } catch {
            XCTAssertEqual(error.status, status, file: file, line: line)
        }
    }
}
