import Crypto
import Foundation

/// LiveKit's webhook signature (PROTOCOL.md §9, `protocol webhook/url_notifier.go`): the `Authorization`
/// header carries a JWT (no "Bearer" prefix), HS256 with the API secret, `iss` = API key, valid for
/// 5 minutes, with the claim `sha256` = standard base64 of SHA-256 of the exact body.
public enum WebhookSigner {
    /// How long a webhook token is valid (LiveKit: 5 minutes).
    public static let validity: TimeInterval = 5 * 60

    public static func authorization(body: [UInt8], apiKey: String, apiSecret: String, now: Date = Date()) async throws -> String {
        token(body: body, apiKey: apiKey, apiSecret: apiSecret, now: now)
    }

    /// The synchronous core of `authorization`; HS256 needs no suspension.
    static func token(body: [UInt8], apiKey: String, apiSecret: String, now: Date) -> String {
        let issued = Int64(now.timeIntervalSince1970.rounded(.down))
        let digest = Data(SHA256.hash(data: body)).base64EncodedString()
        // RFC 7519 §5: header; RFC 7518 §3.2: HS256.
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        // RFC 7519 §4.1.1 iss, §4.1.4 exp, §4.1.5 nbf (NumericDate: seconds since the epoch).
        let payload = #"{"exp":\#(issued + Int64(validity)),"iss":\#(jsonString(apiKey)),"nbf":\#(issued),"sha256":\#(jsonString(digest))}"#
        // RFC 7515 §7.1: BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(MAC).
        let signingInput = base64URL(Array(header.utf8)) + "." + base64URL(Array(payload.utf8))
        let key = SymmetricKey(data: Array(apiSecret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + base64URL(Array(mac))
    }

    /// RFC 4648 §5 base64url without padding (RFC 7515 §2).
    static func base64URL(_ bytes: [UInt8]) -> String {
        var s = Data(bytes).base64EncodedString()
        s = s.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while s.hasSuffix("=") { s.removeLast() }
        return s
    }

    /// A JSON string literal (RFC 8259 §7).
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
