/// A source-specific attribute `a=ssrc:<ssrc-id> <attribute>[:<value>]` (RFC 5576 §4.1).
public struct SSRCAttribute: Sendable, Equatable {
    public var ssrc: UInt32
    /// Attribute name, e.g. `cname`, `msid`.
    public var name: String
    public var value: String?

    public init(ssrc: UInt32, name: String, value: String? = nil) {
        self.ssrc = ssrc
        self.name = name
        self.value = value
    }

    /// Parses the attribute value after `a=ssrc:`.
    public static func parse(_ text: String) -> SSRCAttribute? {
        guard let space = text.firstIndex(of: " "), let ssrc = UInt32(text[..<space]) else { return nil }
        let rest = text[text.index(after: space)...]
        guard !rest.isEmpty else { return nil }
        if let colon = rest.firstIndex(of: ":") {
            let name = rest[..<colon]
            guard !name.isEmpty else { return nil }
            return SSRCAttribute(ssrc: ssrc, name: String(name), value: String(rest[rest.index(after: colon)...]))
        }
        return SSRCAttribute(ssrc: ssrc, name: String(rest), value: nil)
    }

    public var sdpValue: String {
        if let value { return "\(ssrc) \(name):\(value)" }
        return "\(ssrc) \(name)"
    }
}

/// A source grouping `a=ssrc-group:<semantics> <ssrc-id> ...` (RFC 5576 §4.2), e.g. `FID` (RFC 4588)
/// or `SIM`.
public struct SSRCGroup: Sendable, Equatable {
    public var semantics: String
    public var ssrcs: [UInt32]

    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    public static func parse(_ text: String) -> SSRCGroup? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = parts.first else { return nil }
        var ssrcs: [UInt32] = []
        for part in parts.dropFirst() {
            guard let ssrc = UInt32(part) else { return nil }
            ssrcs.append(ssrc)
        }
        return SSRCGroup(semantics: String(first), ssrcs: ssrcs)
    }

    public var sdpValue: String {
        ([semantics] + ssrcs.map { String($0) }).joined(separator: " ")
    }
}
