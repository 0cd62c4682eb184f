/// Why a STUN datagram was rejected (RFC 8489 §6, §14, §9.1).
public enum STUNError: Error, Equatable, Sendable {
    /// Fewer than the 20 header bytes (RFC 8489 §5).
    case tooShort
    /// Top two bits not zero or wrong magic cookie (RFC 8489 §5).
    case notSTUN
    /// Header length is not a multiple of 4 or does not match the datagram size (RFC 8489 §5).
    case badLength
    /// An attribute's TLV overruns the message or its value is malformed (RFC 8489 §14).
    case badAttribute
    /// FINGERPRINT present but not last or CRC mismatch (RFC 8489 §14.7).
    case badFingerprint
    /// MESSAGE-INTEGRITY HMAC mismatch (RFC 8489 §14.5).
    case badIntegrity
    /// No MESSAGE-INTEGRITY attribute where one is required (RFC 8489 §9.1.3).
    case missingIntegrity
    /// No USERNAME attribute where one is required (RFC 8489 §9.1.3).
    case missingUsername
}
