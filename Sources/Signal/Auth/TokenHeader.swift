import Foundation

/// The JOSE header of a LiveKit access token, checked before any signature is.
///
/// LiveKit tokens are HS256 JWTs keyed by `iss` (the API key). RFC 8725 §3.1 asks a verifier
/// to accept only the algorithms it expects rather than the one a token names, so a token
/// whose `alg` is anything but `HS256` (RFC 7518 §3.1), or absent, is refused even when its
/// bytes carry a valid HMAC-SHA256 signature. `kid` (RFC 7515 §4.1.4) is optional; when a token
/// names a key, it must be the API key the token is issued by.
public struct TokenHeader: Equatable, Sendable {
    public var alg: String?
    public var kid: String?
    public var typ: String?

    public static let acceptedAlgorithm = "HS256"

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed
        case missingAlgorithm
        case unsupportedAlgorithm(String)
        case unknownKeyID(String)

        public var description: String {
            switch self {
            case .malformed: "invalid token: malformed JWT header"
            case .missingAlgorithm: "invalid token: no alg in the JWT header (only HS256 is accepted)"
            case .unsupportedAlgorithm(let alg): "invalid token: alg \(alg) is not accepted (only HS256)"
            case .unknownKeyID(let kid): "invalid token: kid \(kid) names no API key of this token"
            }
        }
    }

    /// Decodes the first dot-separated part of a compact JWS (RFC 7515 §7.1).
    public static func decode(token: String) throws(Failure) -> TokenHeader {
        guard let first = token.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).first,
              let data = Data(base64URLEncoded: String(first)),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .malformed
        }
        func text(_ key: String) throws(Failure) -> String? {
            guard let value = object[key] else { return nil }
            guard let string = value as? String else { throw .malformed }
            return string
        }
        return TokenHeader(alg: try text("alg"), kid: try text("kid"), typ: try text("typ"))
    }

    /// Refuses every algorithm but HS256 and a `kid` that is not the token's API key.
    public func check(issuer: String) throws(Failure) {
        guard let alg else { throw .missingAlgorithm }
        guard alg == Self.acceptedAlgorithm else { throw .unsupportedAlgorithm(alg) }
        if let kid, kid != issuer { throw .unknownKeyID(kid) }
    }
}

private extension Data {
    /// base64url without padding (RFC 4648 §5), as JWTs are written.
    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
