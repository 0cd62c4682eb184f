/// Opus RTP packetization (RFC 7587): one Opus packet per RTP payload, unmodified (§4.2), the
/// RTP clock at 48 kHz whatever the coded bandwidth (§4.1), so a 20 ms frame advances the
/// timestamp by 960; the marker bit on the first packet of a talkspurt (§4.1 via RFC 3551
/// §4.1), which without DTX is only the very first packet.
public enum OpusPacketizer {
    public static let clockRate: UInt32 = 48_000
    public static let timestampStep: UInt32 = 960

    /// The marker bit of the packet carrying frame `sent` (0-based count of frames sent).
    @inline(__always)
    public static func marker(framesSent: UInt64) -> Bool { framesSent == 0 }
}

/// The RFC 6464 client-to-mixer audio level header extension value: the V (voice activity)
/// bit and the level in -dBov (0 loudest ... 127 silence).
public enum AudioLevelExtension {
    @inline(__always)
    public static func value(level: UInt8, voiceActivity: Bool) -> UInt8 {
        (voiceActivity ? 0x80 : 0) | (level & 0x7F)
    }
}
