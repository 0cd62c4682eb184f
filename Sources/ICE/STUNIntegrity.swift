import Crypto
import Foundation

/// HMAC-SHA1 over a (length-patched) 20-byte header followed by the attributes before
/// MESSAGE-INTEGRITY (RFC 8489 §14.5).
func stunHMACSHA1(key: [UInt8], header: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) -> [UInt8] {
    var hmac = HMAC<Insecure.SHA1>(key: SymmetricKey(data: key))
    hmac.update(data: header)
    hmac.update(data: body)
    return Array(hmac.finalize())
}

extension STUNMessage {
    /// Long-term credential key, MD5(username ":" realm ":" password) (RFC 8489 §9.2.2 with
    /// MD5, as RFC 5389 §15.4). The password must already be SASLprep/OpaqueString-processed.
    public static func longTermKey(username: String, realm: String, password: String) -> [UInt8] {
        Array(Insecure.MD5.hash(data: Array("\(username):\(realm):\(password)".utf8)))
    }
}
