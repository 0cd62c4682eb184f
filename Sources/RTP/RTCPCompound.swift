/// One RTCP packet of a compound packet (RFC 3550 §6.1).
public enum RTCPPacket: Sendable, Equatable {
    case senderReport(SenderReport), receiverReport(ReceiverReport), sourceDescription([SDESChunk]), goodbye(Goodbye)
    case nack(GenericNACK), pli(PictureLossIndication), fir(FullIntraRequest), remb(REMB), transportFeedback(TransportFeedback)
    /// Any other packet type / format; `body` is everything after the 4-byte common header, without padding.
    case unknown(packetType: UInt8, format: UInt8, body: [UInt8])
}

/// Parsing and serialization of compound RTCP packets (RFC 3550 §6.1, §6.4-§6.6; RFC 4585 §6;
/// RFC 5104 §4.3.1; draft-alvestrand-rmcat-remb; draft-holmer-rmcat-transport-wide-cc-extensions-01).
public enum RTCPCompound {
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(RTCPParseError) -> [RTCPPacket] {
        let n = bytes.count
        guard n >= 4 else { throw .tooShort }
        var packets: [RTCPPacket] = []
        var o = 0
        while o < n {
            guard o + 4 <= n else { throw .truncated }
            let b0 = bytes[o]
            // RFC 3550 §6.4.1 common header: V=2 | P | RC/FMT (5) | PT (8) | length (16, words - 1).
            guard b0 >> 6 == 2 else { throw .badVersion }
            let count = b0 & 0x1F
            let packetType = bytes[o + 1]
            let length = (Int(bytes.be16(o + 2)) + 1) * 4
            guard o + length <= n else { throw .truncated }
            var bodyEnd = o + length
            if b0 & 0x20 != 0 {
                let padding = Int(bytes[bodyEnd - 1])
                guard padding > 0, padding <= length - 4 else { throw .malformed }
                bodyEnd -= padding
            }
            let body = UnsafeRawBufferPointer(rebasing: bytes[(o + 4)..<bodyEnd])
            packets.append(try parseOne(packetType: packetType, count: count, body: body))
            o += length
        }
        return packets
    }

    private static func parseOne(packetType: UInt8, count: UInt8, body: UnsafeRawBufferPointer) throws(RTCPParseError) -> RTCPPacket {
        let c = Int(count)
        switch (packetType, count) {
        case (SenderReport.packetType, _):
            return .senderReport(try SenderReport.parse(count: c, body: body))
        case (ReceiverReport.packetType, _):
            return .receiverReport(try ReceiverReport.parse(count: c, body: body))
        case (SDESChunk.packetType, _):
            return .sourceDescription(try SDESChunk.parseChunks(count: c, body: body))
        case (Goodbye.packetType, _):
            return .goodbye(try Goodbye.parse(count: c, body: body))
        case (FeedbackType.transportLayer, GenericNACK.format):
            return .nack(try GenericNACK.parse(body: body))
        case (FeedbackType.transportLayer, TransportFeedback.format):
            return .transportFeedback(try TransportFeedback.parse(body: body))
        case (FeedbackType.payloadSpecific, PictureLossIndication.format):
            return .pli(try PictureLossIndication.parse(body: body))
        case (FeedbackType.payloadSpecific, FullIntraRequest.format):
            return .fir(try FullIntraRequest.parse(body: body))
        case (FeedbackType.payloadSpecific, REMB.format) where REMB.isREMB(body: body):
            return .remb(try REMB.parse(body: body))
        default:
            return .unknown(packetType: packetType, format: count, body: Array(body))
        }
    }

    public static func serialize(_ packets: [RTCPPacket]) -> [UInt8] {
        var s = ByteSink(capacity: 64 * packets.count)
        for p in packets { write(p, into: &s) }
        return s.bytes
    }

    /// Serializes one packet (convenience).
    public static func serialize(_ packet: RTCPPacket) -> [UInt8] {
        serialize([packet])
    }

    private static func write(_ packet: RTCPPacket, into s: inout ByteSink) {
        switch packet {
        case .senderReport(let p): p.write(into: &s)
        case .receiverReport(let p): p.write(into: &s)
        case .sourceDescription(let chunks): SDESChunk.write(chunks, into: &s)
        case .goodbye(let p): p.write(into: &s)
        case .nack(let p): p.write(into: &s)
        case .pli(let p): p.write(into: &s)
        case .fir(let p): p.write(into: &s)
        case .remb(let p): p.write(into: &s)
        case .transportFeedback(let p): p.write(into: &s)
        case .unknown(let packetType, let format, let body):
            let start = s.beginRTCP(count: format, packetType: packetType)
            s.append(contentsOf: body)
            s.endRTCP(start: start)
        }
    }

    /// true if byte 1 is an RTCP packet type 192...223 (RFC 5761 §4), for RTP/RTCP demux.
    public static func looksLikeRTCP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 2 else { return false }
        return (192...223).contains(bytes[1])
    }
}
