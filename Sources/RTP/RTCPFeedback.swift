// RFC 4585 §6.1 common feedback packet format: header, SSRC of packet sender, SSRC of media
// source, feedback control information (FCI). Transport layer FB is PT 205 (RTPFB), payload
// specific FB is PT 206 (PSFB).

enum FeedbackType {
    static let transportLayer: UInt8 = 205  // RTPFB, RFC 4585 §6.2
    static let payloadSpecific: UInt8 = 206  // PSFB, RFC 4585 §6.3
}

/// RFC 4585 §6.2.1 Generic NACK (RTPFB FMT 1). Serialization packs the list, in the given order,
/// into as few PID/BLP pairs as consecutive runs allow (each pair covers PID and PID+1...PID+16).
public struct GenericNACK: Sendable, Equatable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var lostSequenceNumbers: [UInt16]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, lostSequenceNumbers: [UInt16]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.lostSequenceNumbers = lostSequenceNumbers
    }

    static let format: UInt8 = 1

    static func parse(body: UnsafeRawBufferPointer) throws(RTCPParseError) -> GenericNACK {
        guard body.count >= 8 else { throw .badLength }
        var nack = GenericNACK(senderSSRC: body.be32(0), mediaSSRC: body.be32(4), lostSequenceNumbers: [])
        var o = 8
        while o + 4 <= body.count {
            let pid = body.be16(o)
            let blp = body.be16(o + 2)
            nack.lostSequenceNumbers.append(pid)
            // Bit i of BLP (LSB = bit 0) reports PID + i + 1 as lost.
            for bit in 0..<16 where blp & (1 << bit) != 0 {
                nack.lostSequenceNumbers.append(pid &+ UInt16(bit + 1))
            }
            o += 4
        }
        return nack
    }

    /// The (PID, BLP) pairs this NACK serializes to.
    public var packedPairs: [(pid: UInt16, blp: UInt16)] {
        var pairs: [(pid: UInt16, blp: UInt16)] = []
        var current: (pid: UInt16, blp: UInt16)? = nil
        for seq in lostSequenceNumbers {
            if var pair = current {
                let d = seq &- pair.pid  // serial distance, handles 65535 -> 0 wrap
                if d == 0 { continue }
                if d <= 16 {
                    pair.blp |= 1 << (d - 1)
                    current = pair
                    continue
                }
                pairs.append(pair)
            }
            current = (seq, 0)
        }
        if let current { pairs.append(current) }
        return pairs
    }

    func write(into s: inout ByteSink) {
        let start = s.beginRTCP(count: GenericNACK.format, packetType: FeedbackType.transportLayer)
        s.u32(senderSSRC)
        s.u32(mediaSSRC)
        for pair in packedPairs {
            s.u16(pair.pid)
            s.u16(pair.blp)
        }
        s.endRTCP(start: start)
    }
}

/// RFC 4585 §6.3.1 Picture Loss Indication (PSFB FMT 1, no FCI).
public struct PictureLossIndication: Sendable, Equatable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32

    public init(senderSSRC: UInt32, mediaSSRC: UInt32) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }

    static let format: UInt8 = 1

    static func parse(body: UnsafeRawBufferPointer) throws(RTCPParseError) -> PictureLossIndication {
        guard body.count >= 8 else { throw .badLength }
        return PictureLossIndication(senderSSRC: body.be32(0), mediaSSRC: body.be32(4))
    }

    func write(into s: inout ByteSink) {
        let start = s.beginRTCP(count: PictureLossIndication.format, packetType: FeedbackType.payloadSpecific)
        s.u32(senderSSRC)
        s.u32(mediaSSRC)
        s.endRTCP(start: start)
    }
}

/// RFC 5104 §4.3.1 Full Intra Request (PSFB FMT 4). The media source SSRC field is 0 (§4.3.1.1);
/// each FCI entry names the target SSRC and a command sequence number.
public struct FullIntraRequest: Sendable, Equatable {
    public var senderSSRC: UInt32
    public var entries: [(ssrc: UInt32, sequenceNumber: UInt8)]

    public init(senderSSRC: UInt32, entries: [(ssrc: UInt32, sequenceNumber: UInt8)]) {
        self.senderSSRC = senderSSRC
        self.entries = entries
    }

    public static func == (a: FullIntraRequest, b: FullIntraRequest) -> Bool {
        guard a.senderSSRC == b.senderSSRC, a.entries.count == b.entries.count else { return false }
        for (x, y) in zip(a.entries, b.entries) where x.ssrc != y.ssrc || x.sequenceNumber != y.sequenceNumber {
            return false
        }
        return true
    }

    static let format: UInt8 = 4

    static func parse(body: UnsafeRawBufferPointer) throws(RTCPParseError) -> FullIntraRequest {
        guard body.count >= 8 else { throw .badLength }
        guard (body.count - 8) % 8 == 0 else { throw .malformed }
        var fir = FullIntraRequest(senderSSRC: body.be32(0), entries: [])
        var o = 8
        while o + 8 <= body.count {
            fir.entries.append((ssrc: body.be32(o), sequenceNumber: body[o + 4]))
            o += 8
        }
        return fir
    }

    func write(into s: inout ByteSink) {
        let start = s.beginRTCP(count: FullIntraRequest.format, packetType: FeedbackType.payloadSpecific)
        s.u32(senderSSRC)
        s.u32(0)
        for e in entries {
            s.u32(e.ssrc)
            s.u8(e.sequenceNumber)
            s.u24(0)
        }
        s.endRTCP(start: start)
    }
}
