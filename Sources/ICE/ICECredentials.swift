/// Random ICE credentials (RFC 8445 §5.3): ufrag at least 24 bits of randomness (≥ 4 ice-chars),
/// password at least 128 bits (≥ 22 ice-chars). ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4).
public enum ICECredentials {
    static let iceChars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    /// A 16-character ufrag (96 bits) and a 32-character password (192 bits).
    public static func random() -> (ufrag: String, password: String) {
        var rng = SystemRandomNumberGenerator()
        return (randomString(count: 16, using: &rng), randomString(count: 32, using: &rng))
    }

    static func randomString(count: Int, using rng: inout SystemRandomNumberGenerator) -> String {
        String((0..<count).map { _ in iceChars[Int.random(in: 0..<iceChars.count, using: &rng)] })
    }

    /// True if `value` has only ice-chars and a length in `range`.
    public static func isValid(_ value: String, length range: ClosedRange<Int>) -> Bool {
        range.contains(value.utf8.count) && value.allSatisfy { iceChars.contains($0) }
    }
}

/// Candidate priority, RFC 8445 §5.1.2.1: 2^24·type-preference + 2^8·local-preference + (256 − component).
/// Host type preference is 126 (§5.1.2.2).
public func candidatePriority(typePreference: UInt32 = 126, localPreference: UInt32 = 65535, componentID: Int = 1) -> UInt32 {
    let component = UInt32(max(1, min(componentID, 256)))
    return (min(typePreference, 126) << 24) + (min(localPreference, 65535) << 8) + (256 - component)
}

/// A host candidate value for SDP (RFC 8839 §5.1, without the "candidate:" prefix):
/// "<foundation> <component> udp <priority> <ip> <port> typ host".
public func hostCandidate(address: TransportAddress, foundation: String = "1", componentID: Int = 1, localPreference: UInt32 = 65535) -> String {
    let priority = candidatePriority(localPreference: localPreference, componentID: componentID)
    return "\(foundation) \(componentID) udp \(priority) \(address.ipString) \(address.port) typ host"
}

/// A passive ICE-TCP host candidate value (RFC 6544 §4.5): "<foundation> <component> tcp
/// <priority> <ip> <port> typ host tcptype passive". Its priority is below the UDP host
/// candidate's, so a peer with both prefers UDP: type preference 90 (under host UDP's 126),
/// and RFC 6544 §4.2's local preference for a passive candidate, 2^13 * 4 + 8191.
public func passiveTCPCandidate(address: TransportAddress, foundation: String = "2", componentID: Int = 1) -> String {
    let priority = candidatePriority(typePreference: 90, localPreference: (1 << 13) * 4 + 8191, componentID: componentID)
    return "\(foundation) \(componentID) tcp \(priority) \(address.ipString) \(address.port) typ host tcptype passive"
}
