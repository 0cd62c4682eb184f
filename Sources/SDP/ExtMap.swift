/// An RTP header extension mapping `a=extmap:<id>[/<direction>] <uri> [<attributes>]` (RFC 8285 §8).
public struct ExtMap: Sendable, Equatable {
    /// Local identifier: 1-14 for one-byte headers, 1-255 with two-byte headers.
    public var id: UInt8
    public var uri: String
    public var direction: MediaDirection?
    /// Extension attributes after the URI, kept raw.
    public var attributes: String?

    public init(id: UInt8, uri: String, direction: MediaDirection? = nil, attributes: String? = nil) {
        self.id = id
        self.uri = uri
        self.direction = direction
        self.attributes = attributes
    }

    /// Parses the attribute value after `a=extmap:`.
    public static func parse(_ value: String) -> ExtMap? {
        let parts = value.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        let idPart = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard idPart.count <= 2, let id = UInt8(idPart[0]), id >= 1 else { return nil }
        var direction: MediaDirection?
        if idPart.count == 2 {
            guard let parsed = MediaDirection(rawValue: String(idPart[1])) else { return nil }
            direction = parsed
        }
        return ExtMap(id: id, uri: String(parts[1]), direction: direction,
                      attributes: parts.count == 3 ? String(parts[2]) : nil)
    }

    /// The attribute value as written after `a=extmap:`.
    public var sdpValue: String {
        var text = "\(id)"
        if let direction { text += "/\(direction.rawValue)" }
        text += " \(uri)"
        if let attributes { text += " \(attributes)" }
        return text
    }
}

/// Well-known header extension URIs.
public enum RTPHeaderExtensionURI {
    public static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
    public static let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    public static let absSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    public static let transportWideCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
    public static let rtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
    public static let repairedRtpStreamId = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
}
