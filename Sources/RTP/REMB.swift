/// Receiver Estimated Maximum Bitrate, draft-alvestrand-rmcat-remb-03 §2.2: PSFB FMT 15
/// (application layer FB), media SSRC 0, "REMB", num SSRC (8), BR exp (6), BR mantissa (18).
/// The bitrate is rounded down to what 18 bits of mantissa can express.
public struct REMB: Sendable, Equatable {
    public var senderSSRC: UInt32
    /// Bits per second.
    public var bitrate: UInt64
    public var ssrcs: [UInt32]

    public init(senderSSRC: UInt32, bitrate: UInt64, ssrcs: [UInt32]) {
        self.senderSSRC = senderSSRC
        self.bitrate = bitrate
        self.ssrcs = ssrcs
    }

    static let format: UInt8 = 15
    static let identifier: UInt32 = 0x5245_4D42  // "REMB"

    /// Exponent and mantissa with mantissa < 2^18 and mantissa << exponent <= bitrate.
    public static func encode(bitrate: UInt64) -> (exponent: UInt8, mantissa: UInt32) {
        var exponent: UInt8 = 0
        var mantissa = bitrate
        while mantissa >= (1 << 18) {
            mantissa >>= 1
            exponent += 1
        }
        return (exponent, UInt32(mantissa))
    }

    static func isREMB(body: UnsafeRawBufferPointer) -> Bool {
        body.count >= 12 && body.be32(8) == identifier
    }

    static func parse(body: UnsafeRawBufferPointer) throws(RTCPParseError) -> REMB {
        guard body.count >= 16 else { throw .badLength }
        let count = Int(body[12])
        let exponent = UInt64(body[13] >> 2)
        let mantissa = UInt64(body.be24(13) & 0x3_FFFF)
        guard 16 + count * 4 <= body.count else { throw .malformed }
        // Values that overflow 64 bits saturate.
        let bitrate: UInt64 = mantissa == 0 ? 0
            : (exponent > UInt64(mantissa.leadingZeroBitCount) ? UInt64.max : mantissa << exponent)
        var remb = REMB(senderSSRC: body.be32(0), bitrate: bitrate, ssrcs: [])
        remb.ssrcs.reserveCapacity(count)
        for i in 0..<count { remb.ssrcs.append(body.be32(16 + i * 4)) }
        return remb
    }

    func write(into s: inout ByteSink) {
        let list = ssrcs.prefix(255)
        let (exponent, mantissa) = REMB.encode(bitrate: bitrate)
        let start = s.beginRTCP(count: REMB.format, packetType: FeedbackType.payloadSpecific)
        s.u32(senderSSRC)
        s.u32(0)
        s.u32(REMB.identifier)
        s.u8(UInt8(list.count))
        s.u24(UInt32(exponent) << 18 | mantissa)
        for ssrc in list { s.u32(ssrc) }
        s.endRTCP(start: start)
    }
}
