/// SCTP payload protocol identifiers used by WebRTC (RFC 8831 §8, RFC 8832 §8.1).
enum PayloadProtocolIdentifier {
    /// WebRTC DCEP (RFC 8832).
    static let dcep: UInt32 = 50
    static let string: UInt32 = 51
    /// Deprecated partial string (RFC 8831 §8).
    static let stringPartial: UInt32 = 52
    static let binary: UInt32 = 53
    /// Deprecated partial binary (RFC 8831 §8).
    static let binaryPartial: UInt32 = 54
    /// RFC 8831 §6.6: an empty message is sent as one zero byte with these PPIDs.
    static let stringEmpty: UInt32 = 56
    static let binaryEmpty: UInt32 = 57

    /// PPID for a user message (RFC 8831 §6.6).
    static func forMessage(binary: Bool, empty: Bool) -> UInt32 {
        switch (binary, empty) {
        case (true, false): return Self.binary
        case (true, true): return binaryEmpty
        case (false, false): return string
        case (false, true): return stringEmpty
        }
    }
}
