import JWTKit

/// Mints LiveKit access tokens (HS256 with the API secret; `iss` = API key).
public enum AccessTokenSigner {
    public static func sign(_ claims: AccessTokenClaims, secret: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: AccessTokenVerifier.hmacKey(secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }
}
