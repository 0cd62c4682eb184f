import Crypto
import Foundation
import JWTKit
import XCTest
@testable import Webhooks

/// The claims LiveKit's `WebhookReceiver` checks (PROTOCOL.md §9).
struct WebhookTokenClaims: JWTPayload {
    var iss: IssuerClaim
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim
    var sha256: String
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

final class WebhookSignerTests: XCTestCase {
    /// Verifies `token` the way a receiver would, with jwt-kit (an implementation independent of ours).
    static func verify(_ token: String, secret: String) async throws -> WebhookTokenClaims {
        var key = Array(secret.utf8)
        // RFC 2104 §2: a short key is zero-padded to the block size, so this is the same MAC.
        if key.count < 32 { key += [UInt8](repeating: 0, count: 32 - key.count) }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: key)), digestAlgorithm: .sha256)
        return try await keys.verify(token, as: WebhookTokenClaims.self)
    }

    static func bodyDigest(_ body: [UInt8]) -> String {
        Data(SHA256.hash(data: body)).base64EncodedString()
    }

    func testTokenVerifiesWithSecretAndCarriesClaims() async throws {
        let body = Array(#"{"event":"room_started","id":"EV_abc"}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let token = try await WebhookSigner.authorization(body: body, apiKey: "devkey", apiSecret: "secret", now: now)
        XCTAssertFalse(token.hasPrefix("Bearer"))
        XCTAssertEqual(token.split(separator: ".").count, 3)
        let claims = try await Self.verify(token, secret: "secret")
        XCTAssertEqual(claims.iss.value, "devkey")
        XCTAssertEqual(claims.sha256, Self.bodyDigest(body))
        XCTAssertEqual(claims.exp.value.timeIntervalSince1970, 1_700_000_300)
        XCTAssertEqual(claims.nbf.value.timeIntervalSince1970, 1_700_000_000)
    }

    func testHeaderIsHS256() async throws {
        let token = try await WebhookSigner.authorization(body: [1, 2, 3], apiKey: "k", apiSecret: "s")
        let header = try XCTUnwrap(Self.decodeSegment(String(token.split(separator: ".")[0])))
        XCTAssertEqual(header["alg"] as? String, "HS256")
        XCTAssertEqual(header["typ"] as? String, "JWT")
    }

    func testWrongSecretFailsVerification() async throws {
        let token = try await WebhookSigner.authorization(body: [1, 2, 3], apiKey: "devkey", apiSecret: "secret")
        do {
            _ = try await Self.verify(token, secret: "other-secret")
            XCTFail("a token signed with another secret verified")
        } catch {}
    }

    func testLongSecretMatchesManualHMAC() async throws {
        let secret = String(repeating: "x", count: 48)
        let token = try await WebhookSigner.authorization(body: [], apiKey: "key", apiSecret: secret)
        let parts = token.split(separator: ".").map(String.init)
        let mac = HMAC<SHA256>.authenticationCode(for: Array((parts[0] + "." + parts[1]).utf8),
                                                  using: SymmetricKey(data: Array(secret.utf8)))
        XCTAssertEqual(parts[2], WebhookSigner.base64URL(Array(mac)))
        let claims = try await Self.verify(token, secret: secret)
        // SHA-256 of the empty string (FIPS 180-2 test vector), base64.
        XCTAssertEqual(claims.sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
    }

    func testBase64URLHasNoPaddingOrUnsafeCharacters() {
        // RFC 4648 §10 vectors, then URL-safe alphabet.
        XCTAssertEqual(WebhookSigner.base64URL(Array("f".utf8)), "Zg")
        XCTAssertEqual(WebhookSigner.base64URL(Array("fo".utf8)), "Zm8")
        XCTAssertEqual(WebhookSigner.base64URL(Array("foo".utf8)), "Zm9v")
        XCTAssertEqual(WebhookSigner.base64URL([0xFB, 0xFF]), "-_8")
    }

    func testIssuerIsJSONEscaped() async throws {
        let token = try await WebhookSigner.authorization(body: [], apiKey: "we\"ird\\key\n", apiSecret: "secret")
        let claims = try await Self.verify(token, secret: "secret")
        XCTAssertEqual(claims.iss.value, "we\"ird\\key\n")
    }

    static func decodeSegment(_ segment: String) -> [String: Any]? {
        var s = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        guard let data = Data(base64Encoded: s) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}
