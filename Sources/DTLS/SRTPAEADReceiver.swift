/// The receiving half of an AEAD_AES_128_GCM SRTP session (RFC 7714): authenticates,
/// replay-checks and decrypts SRTP and SRTCP packets in place for any SSRC the peer sends.
/// A new SSRC gets its state only once one of its packets has authenticated, so forged
/// packets cannot fill the table. Allocates only then.
/// Not thread-safe: one owner (an event loop) uses it.
final class SRTPAEADReceiver {
    private let rtpCipher: AESGCMContext
    private let rtcpCipher: AESGCMContext
    private let rtpSalt: SRTPSessionSalt
    private let rtcpSalt: SRTPSessionSalt
    private var streams = SRTPStreamTable()

    init(sessionKeys: SRTPAEADSessionKeys) throws(DTLSError) {
        guard let rtpSalt = SRTPSessionSalt(sessionKeys.rtpSalt),
              let rtcpSalt = SRTPSessionSalt(sessionKeys.rtcpSalt) else { throw DTLSError.srtp("bad_param") }
        rtpCipher = try AESGCMContext(key: sessionKeys.rtpKey)
        rtcpCipher = try AESGCMContext(key: sessionKeys.rtcpKey)
        self.rtpSalt = rtpSalt
        self.rtcpSalt = rtcpSalt
    }

    /// RFC 7714 §8 in reverse, with RFC 3711 §3.3 index estimation and the §3.3.2 replay check
    /// before decryption (`replay_fail`, `replay_old`) and the index recorded only after the tag
    /// verified (`auth_fail` otherwise). Returns the length without the tag.
    @inline(__always)
    func unprotectRTP(_ buffer: UnsafeMutableRawPointer, length: Int) throws(DTLSError) -> Int {
        let headerLength = try SRTPPacketLayout.rtpHeaderLength(buffer, length: length)
        let tagLength = AESGCMContext.tagLength
        let sequence = SRTPPacketLayout.loadUInt16(buffer, at: 2)
        let ssrc = SRTPPacketLayout.loadUInt32(buffer, at: 8)
        let stream = streams.find(ssrc)
        let index: UInt64
        let delta: Int
        if let stream {
            (index, delta) = stream.rtp.estimate(sequence: sequence)
            switch stream.rtp.check(delta: delta) {
            case .fresh: break
            case .replayed: throw DTLSError.srtp("replay_fail")
            case .tooOld: throw DTLSError.srtp("replay_old")
            }
        } else {
            // A new SSRC starts with ROC 0 (RFC 3711 §3.3.1).
            index = UInt64(sequence)
            delta = Int(sequence)
        }
        // After the replay check, as libsrtp orders them, so both report the same status.
        guard length - headerLength >= tagLength else { throw DTLSError.srtp("parse_err") }
        let nonce = rtpSalt.rtpNonce(ssrc: ssrc, rolloverCounter: UInt32(truncatingIfNeeded: index >> 16),
                                     sequence: sequence)
        let cipherLength = length - headerLength - tagLength
        guard rtpCipher.open(nonce: nonce, aad: buffer, aadLength: headerLength, aad2: nil, aad2Length: 0,
                             data: buffer + headerLength, length: cipherLength,
                             tag: buffer + headerLength + cipherLength) else { throw DTLSError.srtp("auth_fail") }
        if let stream {
            stream.rtp.add(delta: delta)
        } else {
            try streams.insert(ssrc).rtp.add(delta: delta)
        }
        return length - tagLength
    }

    /// RFC 7714 §9 in reverse: reads the E flag and SRTCP index from the last 4 octets,
    /// replay-checks the index, verifies the tag over the clear header and the E|index word
    /// (§9.2) and decrypts the rest in place. With E clear (§9.3) nothing is decrypted and the
    /// whole packet is AAD. Returns the length without tag and trailer.
    @inline(__always)
    func unprotectRTCP(_ buffer: UnsafeMutableRawPointer, length: Int) throws(DTLSError) -> Int {
        let clear = SRTPPacketLayout.rtcpClearHeaderLength
        let trailerLength = SRTPPacketLayout.srtcpTrailerLength
        let tagLength = AESGCMContext.tagLength
        guard length >= clear + tagLength + trailerLength else { throw DTLSError.srtp("bad_param") }
        let ssrc = SRTPPacketLayout.loadUInt32(buffer, at: 4)
        let trailer = buffer + length - trailerLength
        let word = SRTPPacketLayout.loadUInt32(trailer, at: 0)
        let encrypted = word & 0x8000_0000 != 0
        let index = word & 0x7FFF_FFFF
        let stream = streams.find(ssrc)
        if let stream {
            switch stream.rtcp.check(index: index) {
            case .fresh: break
            case .replayed: throw DTLSError.srtp("replay_fail")
            case .tooOld: throw DTLSError.srtp("replay_old")
            }
        }
        let nonce = rtcpSalt.rtcpNonce(ssrc: ssrc, index: index)
        let tag = trailer - tagLength
        let bodyLength = length - clear - tagLength - trailerLength
        let verified: Bool
        if encrypted {
            verified = rtcpCipher.open(nonce: nonce, aad: buffer, aadLength: clear,
                                       aad2: trailer, aad2Length: trailerLength,
                                       data: buffer + clear, length: bodyLength, tag: tag)
        } else {
            verified = rtcpCipher.open(nonce: nonce, aad: buffer, aadLength: clear + bodyLength,
                                       aad2: trailer, aad2Length: trailerLength,
                                       data: nil, length: 0, tag: tag)
        }
        guard verified else { throw DTLSError.srtp("auth_fail") }
        if let stream {
            stream.rtcp.add(index: index)
        } else {
            try streams.insert(ssrc).rtcp.add(index: index)
        }
        return length - tagLength - trailerLength
    }

    var streamCount: Int { streams.count }
}
