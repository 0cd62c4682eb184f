/// Why an RTCP compound packet was rejected by `RTCPCompound.parse`.
public enum RTCPParseError: Error, Equatable, Sendable {
    /// Fewer than 4 bytes (no common header).
    case tooShort
    /// Version field is not 2 (RFC 3550 §6.4.1).
    case badVersion
    /// A packet's declared contents (report/source count) do not fit its length field.
    case badLength
    /// The length field points past the end of the buffer.
    case truncated
    /// Padding or type-specific body is inconsistent.
    case malformed
}

/// RFC 3550 §6.4.1 report block (24 bytes).
public struct ReceptionReport: Sendable, Equatable {
    public var ssrc: UInt32
    public var fractionLost: UInt8
    /// 24-bit signed on the wire; clamped to -0x800000...0x7FFFFF when serialized.
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    public var jitter: UInt32
    public var lastSR: UInt32
    public var delaySinceLastSR: UInt32

    public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32,
                jitter: UInt32, lastSR: UInt32, delaySinceLastSR: UInt32) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSR = lastSR
        self.delaySinceLastSR = delaySinceLastSR
    }

    static let size = 24

    static func parse(_ b: UnsafeRawBufferPointer, at o: Int) -> ReceptionReport {
        let raw = b.be24(o + 5)
        // Sign-extend the 24-bit cumulative loss.
        let lost = Int32(bitPattern: raw << 8) >> 8
        return ReceptionReport(ssrc: b.be32(o), fractionLost: b[o + 4], cumulativeLost: lost,
                               extendedHighestSequence: b.be32(o + 8), jitter: b.be32(o + 12),
                               lastSR: b.be32(o + 16), delaySinceLastSR: b.be32(o + 20))
    }

    func write(into s: inout ByteSink) {
        s.u32(ssrc)
        s.u8(fractionLost)
        let clamped = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        s.u24(UInt32(bitPattern: clamped) & 0xFF_FFFF)
        s.u32(extendedHighestSequence)
        s.u32(jitter)
        s.u32(lastSR)
        s.u32(delaySinceLastSR)
    }

    static func parseBlocks(_ body: UnsafeRawBufferPointer, at start: Int, count: Int) throws(RTCPParseError) -> [ReceptionReport] {
        guard start + count * size <= body.count else { throw .badLength }
        var reports: [ReceptionReport] = []
        reports.reserveCapacity(count)
        for i in 0..<count { reports.append(parse(body, at: start + i * size)) }
        return reports
    }
}

/// RFC 3550 §6.4.1 sender report (PT 200). At most 31 report blocks are serialized.
public struct SenderReport: Sendable, Equatable {
    public var ssrc: UInt32
    public var ntpTimestamp: UInt64
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    public var reports: [ReceptionReport]

    public init(ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
                reports: [ReceptionReport] = []) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }

    static let packetType: UInt8 = 200

    /// `body` starts after the common header; profile-specific extensions after the blocks are ignored.
    static func parse(count: Int, body: UnsafeRawBufferPointer) throws(RTCPParseError) -> SenderReport {
        guard body.count >= 24 else { throw .badLength }
        return SenderReport(ssrc: body.be32(0), ntpTimestamp: body.be64(4), rtpTimestamp: body.be32(12),
                            packetCount: body.be32(16), octetCount: body.be32(20),
                            reports: try ReceptionReport.parseBlocks(body, at: 24, count: count))
    }

    func write(into s: inout ByteSink) {
        let blocks = reports.prefix(31)
        let start = s.beginRTCP(count: UInt8(blocks.count), packetType: SenderReport.packetType)
        s.u32(ssrc)
        s.u64(ntpTimestamp)
        s.u32(rtpTimestamp)
        s.u32(packetCount)
        s.u32(octetCount)
        for r in blocks { r.write(into: &s) }
        s.endRTCP(start: start)
    }
}

/// RFC 3550 §6.4.2 receiver report (PT 201). At most 31 report blocks are serialized.
public struct ReceiverReport: Sendable, Equatable {
    public var ssrc: UInt32
    public var reports: [ReceptionReport]

    public init(ssrc: UInt32, reports: [ReceptionReport] = []) {
        self.ssrc = ssrc
        self.reports = reports
    }

    static let packetType: UInt8 = 201

    static func parse(count: Int, body: UnsafeRawBufferPointer) throws(RTCPParseError) -> ReceiverReport {
        guard body.count >= 4 else { throw .badLength }
        return ReceiverReport(ssrc: body.be32(0), reports: try ReceptionReport.parseBlocks(body, at: 4, count: count))
    }

    func write(into s: inout ByteSink) {
        let blocks = reports.prefix(31)
        let start = s.beginRTCP(count: UInt8(blocks.count), packetType: ReceiverReport.packetType)
        s.u32(ssrc)
        for r in blocks { r.write(into: &s) }
        s.endRTCP(start: start)
    }
}

extension ByteSink {
    /// RFC 3550 §6.4.1 common header with a placeholder length; returns the packet start.
    mutating func beginRTCP(count: UInt8, packetType: UInt8) -> Int {
        let start = self.count
        u8(0x80 | (count & 0x1F))
        u8(packetType)
        u16(0)
        return start
    }

    /// Pads to 32 bits and fills in the length field (length in 32-bit words minus one).
    mutating func endRTCP(start: Int) {
        padToWord()
        let words = (count - start) / 4 - 1
        set16(UInt16(truncatingIfNeeded: words), at: start + 2)
    }

    /// Like `endRTCP`, but marks alignment padding with the P bit and a count octet
    /// (RFC 3550 §6.4.1), as libwebrtc does for transport-wide CC feedback.
    mutating func endRTCPUsingPaddingBit(start: Int) {
        let padding = (4 - (count - start) % 4) % 4
        if padding > 0 {
            for _ in 0..<(padding - 1) { u8(0) }
            u8(UInt8(padding))
            bytes[start] |= 0x20
        }
        endRTCP(start: start)
    }
}
