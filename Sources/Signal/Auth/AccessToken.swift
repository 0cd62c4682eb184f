import Foundation
import Crypto
import JWTKit

/// LiveKit `video` grant (PROTOCOL.md §7). Unknown fields are ignored; absent booleans are nil.
public struct VideoGrant: Codable, Sendable, Equatable {
    public var roomCreate: Bool?
    public var roomList: Bool?
    public var roomRecord: Bool?
    public var roomAdmin: Bool?
    public var roomJoin: Bool?
    public var room: String?
    public var canPublish: Bool?
    public var canSubscribe: Bool?
    public var canPublishData: Bool?
    public var canPublishSources: [String]?
    public var canUpdateOwnMetadata: Bool?
    public var hidden: Bool?
    public var recorder: Bool?
    public var agent: Bool?

    public init() {}
}

/// The claims of a LiveKit access token (HS256, `iss` = API key, `sub` = identity).
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var iss: String?
    public var sub: String?
    public var exp: ExpirationClaim?
    public var nbf: NotBeforeClaim?
    public var name: String?
    public var kind: String?
    public var metadata: String?
    public var attributes: [String: String]?
    public var sha256: String?
    public var video: VideoGrant?
    public var roomConfig: RoomConfigurationClaim?

    public init() {}

    /// Time checks happen in `AccessTokenVerifier` with LiveKit's leeway.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    public var identity: String { sub ?? "" }
    /// LiveKit defaults canPublish / canSubscribe / canPublishData to true when absent.
    public var canPublish: Bool { video?.canPublish ?? true }
    public var canSubscribe: Bool { video?.canSubscribe ?? true }
    public var canPublishData: Bool { video?.canPublishData ?? true }
}

/// Why a token was refused; `status` is the HTTP status to answer with.
public struct TokenError: Error, CustomStringConvertible, Equatable {
    public var status: Int
    public var reason: String
    public var description: String { reason }

    public static func unauthorized(_ reason: String) -> TokenError { TokenError(status: 401, reason: reason) }
    public static func forbidden(_ reason: String) -> TokenError { TokenError(status: 403, reason: reason) }
    public static func badRequest(_ reason: String) -> TokenError { TokenError(status: 400, reason: reason) }
}

/// Verifies LiveKit access tokens against the configured API keys (PROTOCOL.md §7).
public struct AccessTokenVerifier: Sendable {
    public init(keys: [String: String]) { self.keys = keys }
    /// Clock leeway for `exp` and `nbf` (LiveKit: 60 s).
    public static let leeway: TimeInterval = 60
    public let keys: [String: String]

    /// LiveKit secrets are often short ("secret"); jwt-kit asserts on keys shorter than the
    /// digest. RFC 2104 §2 pads a key shorter than the block size with zeros, so padding it
    /// to 32 bytes ourselves gives the identical MAC.
    public static func hmacKey(_ secret: String) -> HMACKey {
        var bytes = Array(secret.utf8)
        if bytes.count < 32 { bytes += [UInt8](repeating: 0, count: 32 - bytes.count) }
        return HMACKey(key: SymmetricKey(data: bytes))
    }

    public func verify(_ token: String, now: Date = Date()) async throws(TokenError) -> AccessTokenClaims {
        guard !token.isEmpty else { throw .unauthorized("no access token") }
        let unverified: AccessTokenClaims
        do {
            unverified = try await JWTKeyCollection().unverified(token, as: AccessTokenClaims.self)
        } catch {
            throw .unauthorized("invalid token: malformed JWT")
        }
        guard let apiKey = unverified.iss, !apiKey.isEmpty else { throw .unauthorized("invalid token: no issuer (API key)") }
        guard let secret = keys[apiKey] else { throw .unauthorized("invalid API key: \(apiKey)") }
        do throws(TokenHeader.Failure) {
            try TokenHeader.decode(token: token).check(issuer: apiKey)
        } catch {
            throw .unauthorized(error.description)
        }
        let collection = JWTKeyCollection()
        await collection.add(hmac: Self.hmacKey(secret), digestAlgorithm: .sha256)
        let claims: AccessTokenClaims
        do {
            claims = try await collection.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw .unauthorized("invalid token: \(Self.describe(error))")
        }
        guard let exp = claims.exp else { throw .unauthorized("invalid token: no expiry") }
        if exp.value.addingTimeInterval(Self.leeway) < now { throw .unauthorized("invalid token: expired") }
        if let nbf = claims.nbf, nbf.value.addingTimeInterval(-Self.leeway) > now {
            throw .unauthorized("invalid token: not valid yet")
        }
        return claims
    }
}

extension AccessTokenVerifier {
    public static func describe(_ error: Error) -> String {
        if let jwt = error as? JWTError {
            switch jwt.errorType {
            case .signatureVerificationFailed: return "signature does not verify"
            default: return "\(jwt.reason ?? "\(jwt.errorType)")"
            }
        }
        return "\(error)"
    }
}

extension AccessTokenClaims {
    /// A participant needs an identity: LiveKit answers a join with an empty `sub` 400
    /// "identity cannot be empty". Server-API tokens (Twirp) may have none.
    public func checkIdentity() throws(TokenError) {
        guard !identity.isEmpty else { throw .badRequest("identity cannot be empty") }
    }

    /// A join to `room` needs `roomJoin` and a matching `room` grant.
    public func checkJoin(room: String) throws(TokenError) {
        guard let video, video.roomJoin == true else { throw .forbidden("permissions denied: no roomJoin grant") }
        guard video.room == room else { throw .forbidden("permissions denied: token is for room \"\(video.room ?? "")\", not \"\(room)\"") }
    }
}
