/// One `name value` pair after the candidate type, e.g. `tcptype passive`, `generation 0`.
public struct ICECandidateExtension: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An ICE candidate attribute value (RFC 8839 §5.1):
/// `<foundation> <component-id> <transport> <priority> <connection-address> <port> typ <cand-type>
///  [raddr <rel-addr>] [rport <rel-port>] *(<extension-att-name> <extension-att-value>)`.
public struct ICECandidate: Sendable, Equatable {
    /// 1 to 32 ice-chars.
    public var foundation: String
    /// 1-256; 1 is RTP (and everything when rtcp-mux/BUNDLE is used).
    public var component: Int
    /// `udp` or `tcp` as written (case-insensitive on the wire).
    public var transport: String
    public var priority: UInt32
    /// IP address or FQDN (`.local` mDNS names included).
    public var address: String
    public var port: Int
    /// `host`, `srflx`, `prflx` or `relay`.
    public var type: String
    public var relatedAddress: String?
    public var relatedPort: Int?
    public var extensions: [ICECandidateExtension]

    public init(foundation: String, component: Int = 1, transport: String = "udp", priority: UInt32,
                address: String, port: Int, type: String = "host", relatedAddress: String? = nil,
                relatedPort: Int? = nil, extensions: [ICECandidateExtension] = []) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.type = type
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.extensions = extensions
    }

    /// The value of an extension attribute such as `tcptype` or `generation`.
    public func extensionValue(_ name: String) -> String? {
        extensions.first(where: { $0.name == name })?.value
    }

    /// Parses a candidate value, with or without a leading `candidate:` (as trickled candidates carry it).
    public static func parse(_ value: String) throws(SDPParseError) -> ICECandidate {
        var text = Substring(value)
        if text.hasPrefix("a=") { text = text.dropFirst(2) }
        if text.hasPrefix("candidate:") { text = text.dropFirst("candidate:".count) }
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
        guard tokens.count >= 8, tokens[6] == "typ",
              !tokens[0].isEmpty, tokens[0].count <= 32,
              let component = Int(tokens[1]), (1...256).contains(component),
              let priority = UInt32(tokens[3]),
              let port = Int(tokens[5]), (0...65535).contains(port),
              !tokens[7].isEmpty
        else { throw .badCandidate(value) }
        var candidate = ICECandidate(foundation: String(tokens[0]), component: component,
                                     transport: String(tokens[2]), priority: priority,
                                     address: String(tokens[4]), port: port, type: String(tokens[7]))
        var index = 8
        while index < tokens.count {
            guard index + 1 < tokens.count else { throw .badCandidate(value) }
            let name = tokens[index], attributeValue = tokens[index + 1]
            switch name {
            case "raddr" where candidate.relatedAddress == nil && candidate.extensions.isEmpty:
                candidate.relatedAddress = String(attributeValue)
            case "rport" where candidate.relatedPort == nil && candidate.extensions.isEmpty:
                guard let port = Int(attributeValue), (0...65535).contains(port) else { throw .badCandidate(value) }
                candidate.relatedPort = port
            default:
                candidate.extensions.append(ICECandidateExtension(name: String(name), value: String(attributeValue)))
            }
            index += 2
        }
        return candidate
    }

    /// The value as written after `a=candidate:`.
    public var sdpValue: String {
        var text = "\(foundation) \(component) \(transport) \(priority) \(address) \(port) typ \(type)"
        if let relatedAddress { text += " raddr \(relatedAddress)" }
        if let relatedPort { text += " rport \(relatedPort)" }
        for item in extensions { text += " \(item.name) \(item.value)" }
        return text
    }

    /// The recommended priority formula (RFC 8445 §5.1.2.1):
    /// `2^24 * type preference + 2^8 * local preference + (256 - component)`.
    public static func priority(typePreference: UInt32, localPreference: UInt32, component: Int) -> UInt32 {
        let componentPart = UInt32(max(0, min(255, 256 - component)))
        return (min(typePreference, 126) << 24) | (min(localPreference, 65535) << 8) | componentPart
    }
}
