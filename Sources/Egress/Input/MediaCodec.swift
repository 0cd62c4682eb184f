/// The codecs a recording can receive. The raw value is the lower-case name used in SDP
/// (`a=rtpmap`, RFC 8866 §6.6) and on the egress pipe.
public enum MediaCodec: String, Sendable, Codable, CaseIterable {
    case opus, vp8, h264, vp9, av1

    /// Audio or video.
    public var kind: TrackMediaKind { self == .opus ? .audio : .video }

    /// RTP clock rate fixed by the payload format: 48 kHz for Opus (RFC 7587 §4.1),
    /// 90 kHz for video (RFC 7741 §6.1, RFC 6184 §8.1).
    public var defaultClockRate: UInt32 { self == .opus ? 48_000 : 90_000 }
}

/// Whether a track carries audio or video.
public enum TrackMediaKind: String, Sendable, Codable, CaseIterable {
    case audio, video
}
