import Crypto
import Foundation
import XCTest
@testable import Signal

final class TokenHeaderTests: XCTestCase {
    let verifier = AccessTokenVerifier(keys: ["devkey": "secret", "other": "secret2"])

    private static func b64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A JWT with exactly this header JSON, always signed with HMAC-SHA256 (RFC 7515 §7.1).
    static func signed(header: String, sub: String? = "alice", secret: String = "secret") -> String {
        let exp = Int(Date().addingTimeInterval(600).timeIntervalSince1970)
        let subject = sub.map { "\"sub\":\"\($0)\"," } ?? ""
        let payload = "{\"iss\":\"devkey\",\(subject)\"exp\":\(exp),\"video\":{\"roomJoin\":true,\"room\":\"r1\"}}"
        let input = b64url(Data(header.utf8)) + "." + b64url(Data(payload.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + b64url(Data(mac))
    }

    func testDecodesTheHeader() throws {
        let header = try TokenHeader.decode(token: Self.signed(header: #"{"alg":"HS256","typ":"JWT","kid":"devkey"}"#))
        XCTAssertEqual(header, TokenHeader(alg: "HS256", kid: "devkey", typ: "JWT"))
        XCTAssertThrowsError(try TokenHeader.decode(token: "!!.e30.x"))
        XCTAssertThrowsError(try TokenHeader.decode(token: Self.b64url(Data("[1]".utf8)) + ".e30.x"))
        XCTAssertThrowsError(try TokenHeader.decode(token: Self.b64url(Data(#"{"alg":5}"#.utf8)) + ".e30.x"))
    }

    func testOnlyHS256AndTheIssuersKidPass() {
        XCTAssertNoThrow(try TokenHeader(alg: "HS256", kid: nil, typ: nil).check(issuer: "devkey"))
        XCTAssertNoThrow(try TokenHeader(alg: "HS256", kid: "devkey", typ: "JWT").check(issuer: "devkey"))
        XCTAssertThrowsError(try TokenHeader(alg: nil, kid: nil, typ: "JWT").check(issuer: "devkey")) {
            XCTAssertEqual($0 as? TokenHeader.Failure, .missingAlgorithm)
        }
        for alg in ["RS256", "ES256", "none", "xyz", "HS384", "hs256"] {
            XCTAssertThrowsError(try TokenHeader(alg: alg, kid: nil, typ: nil).check(issuer: "devkey")) {
                XCTAssertEqual($0 as? TokenHeader.Failure, .unsupportedAlgorithm(alg))
            }
        }
        XCTAssertThrowsError(try TokenHeader(alg: "HS256", kid: "other", typ: nil).check(issuer: "devkey")) {
            XCTAssertEqual($0 as? TokenHeader.Failure, .unknownKeyID("other"))
        }
    }

    /// A valid HMAC-SHA256 signature used to pass under any `alg` header, and an unknown `kid`
    /// was ignored.
    func testVerifierRefusesEveryOtherAlgorithmAndAnUnknownKid() async {
        for header in [#"{"alg":"RS256","typ":"JWT"}"#, #"{"alg":"ES256","typ":"JWT"}"#, #"{"alg":"none","typ":"JWT"}"#,
                       #"{"alg":"xyz","typ":"JWT"}"#, #"{"typ":"JWT"}"#, #"{"alg":"HS256","kid":"nokey"}"#,
                       #"{"alg":"HS256","kid":"other"}"#] {
            do {
                _ = try await verifier.verify(Self.signed(header: header))
                XCTFail("accepted \(header)")
            } catch {
                XCTAssertEqual(error.status, 401, header)
                XCTAssertTrue(error.reason.hasPrefix("invalid token"), error.reason)
            }
        }
    }

    func testVerifierAcceptsHS256WithAndWithoutKid() async throws {
        for header in [#"{"alg":"HS256","typ":"JWT"}"#, #"{"alg":"HS256","kid":"devkey"}"#, #"{"alg":"HS256"}"#] {
            let claims = try await verifier.verify(Self.signed(header: header))
            XCTAssertEqual(claims.identity, "alice")
        }
    }

    /// LiveKit refuses a join with an empty identity (400 "identity cannot be empty"); server
    /// API tokens may have none, so the verifier itself accepts it.
    func testEmptyIdentityVerifiesButMayNotJoin() async throws {
        for sub in ["", nil] as [String?] {
            let claims = try await verifier.verify(Self.signed(header: #"{"alg":"HS256","typ":"JWT"}"#, sub: sub))
            XCTAssertThrowsError(try claims.checkIdentity()) {
                XCTAssertEqual(($0 as? TokenError)?.status, 400)
                XCTAssertEqual(($0 as? TokenError)?.reason, "identity cannot be empty")
            }
        }
        let alice = try await verifier.verify(Self.signed(header: #"{"alg":"HS256"}"#))
        XCTAssertNoThrow(try alice.checkIdentity())
    }
}
