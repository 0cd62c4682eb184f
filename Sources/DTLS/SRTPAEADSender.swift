/// The sending half of an AEAD_AES_128_GCM SRTP session (RFC 7714): protects RTP and RTCP
/// packets in place for any SSRC we send, each SSRC with its own rollover counter and SRTCP
/// index. Allocates only when a new SSRC appears.
/// Not thread-safe: one owner (an event loop) uses it.
final class SRTPAEADSender {
    /// RFC 7714 §8.2: the tag follows the ciphertext.
    static let rtpOverhead = AESGCMContext.tagLength
    /// RFC 7714 §9 (Figure 3): tag, then E flag and SRTCP index.
    static let rtcpOverhead = AESGCMContext.tagLength + SRTPPacketLayout.srtcpTrailerLength

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

    /// RFC 7714 §8: encrypts the payload (after CSRCs and header extension) in place, with the
    /// whole header as AAD (§8.2), and appends the tag. `buffer` must have room for
    /// `length + rtpOverhead` bytes. Returns the new length.
    ///
    /// The index comes from the RFC 3711 §3.3.1 estimate over what this SSRC sent, so a
    /// retransmission keeps its original ROC. Sending an index already sent is allowed (a
    /// retransmission with the original sequence number, as libsrtp's `allow_repeat_tx`); one
    /// older than the replay window is refused with `replay_old`.
    @inline(__always)
    func protectRTP(_ buffer: UnsafeMutableRawPointer, length: Int) throws(DTLSError) -> Int {
        let headerLength = try SRTPPacketLayout.rtpHeaderLength(buffer, length: length)
        let sequence = SRTPPacketLayout.loadUInt16(buffer, at: 2)
        let ssrc = SRTPPacketLayout.loadUInt32(buffer, at: 8)
        let stream = try streams.findOrInsert(ssrc)
        let (index, delta) = stream.rtp.estimate(sequence: sequence)
        switch stream.rtp.check(delta: delta) {
        case .fresh: stream.rtp.add(delta: delta)
        case .replayed: break
        case .tooOld: throw DTLSError.srtp("replay_old")
        }
        let nonce = rtpSalt.rtpNonce(ssrc: ssrc, rolloverCounter: UInt32(truncatingIfNeeded: index >> 16),
                                     sequence: sequence)
        guard rtpCipher.seal(nonce: nonce, aad: buffer, aadLength: headerLength, aad2: nil, aad2Length: 0,
                             data: buffer + headerLength, length: length - headerLength,
                             tag: buffer + length) else { throw DTLSError.srtp("cipher_fail") }
        return length + Self.rtpOverhead
    }

    /// RFC 7714 §9: encrypts everything after the first 8 octets in place and appends the tag
    /// and the E flag (set) with this SSRC's next SRTCP index; the AAD is the 8 clear octets
    /// then the E|index word (§9.2). `buffer` must have room for `length + rtcpOverhead`
    /// bytes. Returns the new length.
    @inline(__always)
    func protectRTCP(_ buffer: UnsafeMutableRawPointer, length: Int) throws(DTLSError) -> Int {
        let clear = SRTPPacketLayout.rtcpClearHeaderLength
        guard length >= clear else { throw DTLSError.srtp("bad_param") }
        let ssrc = SRTPPacketLayout.loadUInt32(buffer, at: 4)
        let stream = try streams.findOrInsert(ssrc)
        let index = stream.nextSRTCPIndex
        // RFC 3711 §3.3.1: at most 2^31 SRTCP packets under one key.
        guard index <= 0x7FFF_FFFF else { throw DTLSError.srtp("key_expired") }
        stream.nextSRTCPIndex = index + 1
        let trailer = buffer + length + AESGCMContext.tagLength
        trailer.storeBytes(of: (0x8000_0000 | index).bigEndian, as: UInt32.self)
        let nonce = rtcpSalt.rtcpNonce(ssrc: ssrc, index: index)
        guard rtcpCipher.seal(nonce: nonce, aad: buffer, aadLength: clear,
                              aad2: trailer, aad2Length: SRTPPacketLayout.srtcpTrailerLength,
                              data: buffer + clear, length: length - clear,
                              tag: buffer + length) else { throw DTLSError.srtp("cipher_fail") }
        return length + Self.rtcpOverhead
    }

    /// Test hook: the SRTCP index the next RTCP packet of `ssrc` carries (RFC 7714 §17 vectors).
    func setNextSRTCPIndex(_ index: UInt32, ssrc: UInt32) throws(DTLSError) {
        try streams.findOrInsert(ssrc).nextSRTCPIndex = index
    }

    var streamCount: Int { streams.count }
}
