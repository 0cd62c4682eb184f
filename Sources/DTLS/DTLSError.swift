import CDTLS

/// Errors from the DTLS endpoint, certificates and SRTP sessions.
public enum DTLSError: Error, Equatable, Sendable {
    /// An OpenSSL call failed; the string is the OpenSSL error queue (or the call that failed).
    case openssl(String)
    /// The peer's certificate digest does not match the `a=fingerprint` from its SDP (RFC 8122 §5).
    case fingerprintMismatch
    /// The DTLS handshake failed (alert, timeout, bad parameters).
    case handshakeFailed(String)
    /// Application data was sent before the handshake completed or after close.
    case notConnected
    /// SRTP/SRTCP protection failed (libsrtp or our AEAD transform; libsrtp's status names:
    /// `auth_fail`, `replay_fail`, ...).
    case srtp(String)
    /// The handshake completed without negotiating a DTLS-SRTP protection profile (RFC 5764 §4.1.1).
    case noSRTPProfile
}

/// Drains the calling thread's OpenSSL error queue into one readable string.
func openSSLErrorQueue(_ context: String) -> String {
    var messages: [String] = []
    var buffer = [CChar](repeating: 0, count: 256)
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        buffer.withUnsafeMutableBufferPointer { ptr in
            ERR_error_string_n(code, ptr.baseAddress, ptr.count)
        }
        let message = buffer.withUnsafeBufferPointer { ptr in
            String(decoding: ptr.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        messages.append(message)
    }
    return messages.isEmpty ? context : context + ": " + messages.joined(separator: "; ")
}
