/// What one datagram on a shared WebRTC UDP port carries (RFC 7983 §7).
public enum PacketKind: Sendable {
    case stun, dtls, rtp, rtcp, unknown
}

/// First-byte demultiplexing, RFC 7983 §7 (updating RFC 5764 §5.1.2):
/// 0...3 STUN, 20...63 DTLS, 128...191 RTP/RTCP; the rest (ZRTP 16...19, TURN channels 64...79) unknown.
/// RTP vs RTCP by the second byte: 192...223 (RTCP packet types 192-223, RFC 5761 §4) is RTCP.
public func classifyPacket(_ bytes: UnsafeRawBufferPointer) -> PacketKind {
    guard let first = bytes.first else { return .unknown }
    switch first {
    case 0...3:
        return .stun
    case 20...63:
        return .dtls
    case 128...191:
        guard bytes.count >= 2 else { return .unknown }
        return (192...223).contains(bytes[1]) ? .rtcp : .rtp
    default:
        return .unknown
    }
}
