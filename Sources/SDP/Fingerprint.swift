/// A certificate fingerprint attribute `a=fingerprint:<hash-func> <fingerprint>` (RFC 8122 §5).
public struct Fingerprint: Sendable, Equatable {
    /// Hash function name as written, e.g. `sha-256`.
    public var algorithm: String
    /// Upper-case hex bytes separated by colons, e.g. `AB:CD:...`.
    public var value: String

    public init(algorithm: String, value: String) {
        self.algorithm = algorithm
        self.value = value
    }

    /// Parses the attribute value `sha-256 AB:CD:...`.
    public static func parse(_ attributeValue: String) -> Fingerprint? {
        let parts = attributeValue.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        return Fingerprint(algorithm: String(parts[0]), value: String(parts[1]))
    }

    /// The attribute value as written after `a=fingerprint:`.
    public var sdpValue: String { "\(algorithm) \(value)" }

    /// The fingerprint bytes, or nil if `value` is not colon-separated hex (RFC 8122 §5).
    public var bytes: [UInt8]? {
        var out: [UInt8] = []
        for part in value.split(separator: ":", omittingEmptySubsequences: false) {
            guard part.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
            out.append(byte)
        }
        return out.isEmpty ? nil : out
    }

    /// Formats bytes as the RFC 8122 upper-case, colon-separated hex form.
    public init(algorithm: String, bytes: [UInt8]) {
        let hexDigits: [Character] = Array("0123456789ABCDEF")
        var text = ""
        text.reserveCapacity(bytes.count * 3)
        for (index, byte) in bytes.enumerated() {
            if index > 0 { text.append(":") }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        self.init(algorithm: algorithm, value: text)
    }

    /// Compares algorithm and value ignoring letter case (RFC 8122 §5 hex is case-insensitive).
    public func matches(_ other: Fingerprint) -> Bool {
        algorithm.lowercased() == other.algorithm.lowercased() && value.uppercased() == other.value.uppercased()
    }
}
