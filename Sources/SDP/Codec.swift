/// One payload type of an RTP media section: its `a=rtpmap` (RFC 8866 §6.6),
/// `a=fmtp` (RFC 8866 §6.15) and `a=rtcp-fb` lines (RFC 4585 §4.2).
public struct Codec: Sendable, Equatable {
    public var payloadType: UInt8
    /// Encoding name as written: `opus`, `VP8`, `H264`, `rtx`, `red`, `ulpfec`, `VP9`, `AV1`, ...
    public var name: String
    public var clockRate: UInt32
    /// Encoding parameters of the rtpmap; the channel count for audio.
    public var channels: Int?
    /// Raw format parameter string, e.g. `minptime=10;useinbandfec=1`.
    public var fmtp: String?
    /// RTCP feedback values in order, e.g. `["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"]`.
    public var feedback: [String]

    public init(payloadType: UInt8, name: String, clockRate: UInt32, channels: Int? = nil,
                fmtp: String? = nil, feedback: [String] = []) {
        self.payloadType = payloadType
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.fmtp = fmtp
        self.feedback = feedback
    }

    /// The value of one `key=value` pair of `fmtp` (keys compared case-insensitively),
    /// e.g. `apt`, `packetization-mode`, `profile-level-id`.
    public func fmtpParameter(_ key: String) -> String? {
        guard let fmtp else { return nil }
        for pair in fmtp.split(separator: ";") {
            let trimmed = pair.drop(while: { $0 == " " })
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            if trimmed[..<equals].lowercased() == key.lowercased() {
                return String(trimmed[trimmed.index(after: equals)...])
            }
        }
        return nil
    }

    /// The codec without the `fmtp` pairs whose key starts with `prefix` (case-insensitive);
    /// no `fmtp` at all when none is left.
    public func removingParameters(prefixed prefix: String) -> Codec {
        guard let fmtp else { return self }
        let kept = fmtp.split(separator: ";").filter {
            !$0.drop(while: { $0 == " " }).lowercased().hasPrefix(prefix.lowercased())
        }
        var copy = self
        copy.fmtp = kept.isEmpty ? nil : kept.joined(separator: ";")
        return copy
    }

    /// Whether this is a retransmission format (RFC 4588 §8.6).
    public var isRTX: Bool { name.lowercased() == "rtx" }

    /// The payload type an RTX format repairs (`apt`, RFC 4588 §8.6).
    public var associatedPayloadType: UInt8? {
        guard isRTX, let apt = fmtpParameter("apt") else { return nil }
        return UInt8(apt).flatMap { $0 <= 127 ? $0 : nil }
    }

    /// The `rtpmap` value: `<encoding name>/<clock rate>[/<encoding parameters>]`.
    public var rtpmapValue: String {
        if let channels { return "\(name)/\(clockRate)/\(channels)" }
        return "\(name)/\(clockRate)"
    }

    /// Parses an rtpmap value after the payload type: `opus/48000/2`.
    static func parseRtpmap(payloadType: UInt8, _ text: Substring) -> Codec? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty,
              let clock = UInt32(parts[1]) else { return nil }
        var channels: Int?
        if parts.count == 3 {
            guard let value = Int(parts[2]), value >= 0 else { return nil }
            channels = value
        }
        return Codec(payloadType: payloadType, name: String(parts[0]), clockRate: clock, channels: channels)
    }

    /// Static RTP/AVP payload types (RFC 3551 §6, Table 4 and 5) used when an offer
    /// lists one without an rtpmap line.
    public static func staticPayloadType(_ pt: UInt8) -> Codec? {
        switch pt {
        case 0: return Codec(payloadType: 0, name: "PCMU", clockRate: 8000)
        case 3: return Codec(payloadType: 3, name: "GSM", clockRate: 8000)
        case 4: return Codec(payloadType: 4, name: "G723", clockRate: 8000)
        case 8: return Codec(payloadType: 8, name: "PCMA", clockRate: 8000)
        case 9: return Codec(payloadType: 9, name: "G722", clockRate: 8000)
        case 13: return Codec(payloadType: 13, name: "CN", clockRate: 8000)
        case 18: return Codec(payloadType: 18, name: "G729", clockRate: 8000)
        case 26: return Codec(payloadType: 26, name: "JPEG", clockRate: 90000)
        case 31: return Codec(payloadType: 31, name: "H261", clockRate: 90000)
        case 34: return Codec(payloadType: 34, name: "H263", clockRate: 90000)
        default: return nil
        }
    }
}
