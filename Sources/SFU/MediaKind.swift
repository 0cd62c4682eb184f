import SDP

public enum MediaKind: String, Sendable {
    case audio, video

    init?(sdpKind: String) {
        switch sdpKind {
        case "audio": self = .audio
        case "video": self = .video
        default: return nil
        }
    }
}

/// The codecs we know how to inspect (keyframe detection) or at least forward.
enum CodecFamily: Sendable, Equatable {
    case opus, vp8, vp9, h264, av1, rtx, other

    init(name: String) {
        switch name.lowercased() {
        case "opus": self = .opus
        case "vp8": self = .vp8
        case "vp9": self = .vp9
        case "h264": self = .h264
        case "av1", "av1x": self = .av1
        case "rtx": self = .rtx
        default: self = .other
        }
    }
}

/// A negotiated payload type with what we need on the packet path.
struct PayloadFormat: Sendable, Equatable {
    var payloadType: UInt8
    var name: String
    var family: CodecFamily
    var clockRate: UInt32
    /// For rtx: the payload type it repairs (RFC 4588 §8.6 `apt`).
    var associatedPayloadType: UInt8?
    var packetizationMode: String?
    var fmtp: String?

    init(_ codec: Codec) {
        fmtp = codec.fmtp
        payloadType = codec.payloadType
        name = codec.name
        family = CodecFamily(name: codec.name)
        clockRate = codec.clockRate
        associatedPayloadType = codec.fmtpParameter("apt").flatMap { UInt8($0) }
        packetizationMode = codec.fmtpParameter("packetization-mode")
    }

    /// Same codec on both sides of the SFU (names case-insensitive, RFC 8866 §6.6).
    func matches(_ other: PayloadFormat) -> Bool {
        guard family == other.family, clockRate == other.clockRate else { return false }
        if family == .other { return name.lowercased() == other.name.lowercased() }
        if family == .h264 { return (packetizationMode ?? "0") == (other.packetizationMode ?? "0") }
        return true
    }
}

/// Well-known RTP header extension URIs (RFC 8285 registry names).
enum ExtensionURI {
    static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
    static let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
    static let rtpStreamID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
    static let repairedRTPStreamID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
    static let absSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    static let transportWideCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
}
