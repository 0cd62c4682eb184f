import Foundation
import JWTKit
import Signal

extension AccessTokenClaims {
    /// Builds claims field by field (the type has no memberwise initializer outside its module).
    static func make(
        apiKey: String, identity: String?, name: String?, metadata: String?,
        video: VideoGrant, notBefore: Date, expires: Date
    ) -> AccessTokenClaims {
        var claims = AccessTokenClaims()
        claims.iss = apiKey
        claims.sub = (identity?.isEmpty ?? true) ? nil : identity
        claims.name = (name?.isEmpty ?? true) ? nil : name
        claims.metadata = (metadata?.isEmpty ?? true) ? nil : metadata
        claims.nbf = NotBeforeClaim(value: notBefore)
        claims.exp = ExpirationClaim(value: expires)
        claims.video = video
        return claims
    }

}
