import Foundation
import JWTKit

/// Mints LiveKit access tokens (HS256 with the API secret; `iss` = API key).
public enum AccessTokenSigner {
    public static func sign(_ claims: AccessTokenClaims, secret: String) async throws -> String {
        // NumericDate as whole seconds, as LiveKit's SDKs write them (RFC 7519 §2 allows
        // fractions, but not every verifier does).
        var claims = claims
        if let exp = claims.exp { claims.exp = ExpirationClaim(value: Date(timeIntervalSince1970: exp.value.timeIntervalSince1970.rounded(.down))) }
        if let nbf = claims.nbf { claims.nbf = NotBeforeClaim(value: Date(timeIntervalSince1970: nbf.value.timeIntervalSince1970.rounded(.down))) }
        let keys = JWTKeyCollection()
        await keys.add(hmac: AccessTokenVerifier.hmacKey(secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }
}
