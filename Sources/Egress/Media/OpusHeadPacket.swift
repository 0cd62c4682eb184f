/// The Ogg Opus identification header "OpusHead" (RFC 7845 §5.1), used as the Opus stream's extradata.
struct OpusHeadPacket: Equatable, Sendable {
    var channelCount: UInt8 = 2
    /// Samples (at 48 kHz) to drop at the start of decoding. RTP Opus has no encoder priming to hide, so 0.
    var preSkip: UInt16 = 0
    var inputSampleRate: UInt32 = 48_000
    var outputGain: Int16 = 0

    /// The 19-byte header, channel mapping family 0 (mono or stereo).
    var bytes: [UInt8] {
        var out: [UInt8] = Array("OpusHead".utf8)
        out.append(1)  // version
        out.append(channelCount)
        out.append(contentsOf: [UInt8(preSkip & 0xff), UInt8(preSkip >> 8)])
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((inputSampleRate >> UInt32(shift)) & 0xff)) }
        let gain = UInt16(bitPattern: outputGain)
        out.append(contentsOf: [UInt8(gain & 0xff), UInt8(gain >> 8)])
        out.append(0)  // channel mapping family 0
        return out
    }
}
