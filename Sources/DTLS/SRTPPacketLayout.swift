/// Where the clear header of an RTP or RTCP packet ends, as the SRTP transforms need it.
/// Checks only what SRTP relies on (as libsrtp does): lengths, not versions or payload types.
enum SRTPPacketLayout {
    /// RFC 3550 §5.1: the fixed RTP header.
    static let rtpFixedHeaderLength = 12
    /// RFC 3550 §6.4.1: the first 8 octets of an RTCP compound packet (V/P/RC, PT, length,
    /// sender SSRC), which SRTCP leaves clear (RFC 3711 §3.4, RFC 7714 §9.1).
    static let rtcpClearHeaderLength = 8
    /// RFC 3711 §3.4: the E flag and 31-bit SRTCP index.
    static let srtcpTrailerLength = 4

    /// RFC 3550 §5.1 and §5.3.1: 12 octets, 4 per CSRC, and with X set the 4-octet extension
    /// header plus 4 octets per word of its length. Throws `bad_param` when `length` does not
    /// hold it all.
    @inline(__always)
    static func rtpHeaderLength(_ packet: UnsafeRawPointer, length: Int) throws(DTLSError) -> Int {
        guard length >= rtpFixedHeaderLength else { throw DTLSError.srtp("bad_param") }
        let first = packet.load(as: UInt8.self)
        var headerLength = rtpFixedHeaderLength + 4 * Int(first & 0x0F)
        if first & 0x10 != 0 {
            guard length >= headerLength + 4 else { throw DTLSError.srtp("bad_param") }
            let words = UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: headerLength + 2, as: UInt16.self))
            headerLength += 4 + 4 * Int(words)
        }
        guard length >= headerLength else { throw DTLSError.srtp("bad_param") }
        return headerLength
    }

    @inline(__always)
    static func loadUInt32(_ packet: UnsafeRawPointer, at offset: Int) -> UInt32 {
        UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    static func loadUInt16(_ packet: UnsafeRawPointer, at offset: Int) -> UInt16 {
        UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
}
