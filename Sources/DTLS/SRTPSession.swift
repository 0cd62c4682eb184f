import CDTLS

/// SRTP/SRTCP protection (RFC 3711). AEAD_AES_128_GCM (RFC 7714) runs on our own transform
/// over OpenSSL's AES-GCM (`SRTPAEADSender` / `SRTPAEADReceiver`: one reused cipher context
/// per key, no allocation per packet); AES_CM_128_HMAC_SHA1_80 runs on libsrtp2.
///
/// Either way there are two directions: outbound with the local master key for any SSRC we
/// send, inbound with the remote master key for any SSRC the peer sends, with replay
/// protection (RFC 3711 §3.3.2) over a `replayWindowSize`-packet window. Errors carry
/// libsrtp's status names (`auth_fail`, `replay_fail`, ...) for both.
/// Not thread-safe: one owner (an event loop) uses it.
public final class SRTPSession {
    /// Bytes a protect may append after the packet (SRTP_MAX_TRAILER_LEN, plus the 4-byte
    /// SRTCP index that RTCP protection adds, RFC 3711 §3.4).
    public static let maxTrailer: Int = Int(cdtls_srtp_max_trailer_len()) + 4

    /// RFC 3711 §3.3.2 replay list size (libsrtp default is 128; high-rate video needs more).
    public static let replayWindowSize = 1024

    /// Which implementation protects the packets.
    enum Backend: Equatable {
        /// Ours for AEAD_AES_128_GCM, libsrtp for the rest.
        case automatic
        /// libsrtp for every profile (kept for cross-checks against ours).
        case libsrtp
    }

    public let profile: SRTPProtectionProfile
    /// libsrtp sessions, when libsrtp runs this profile.
    private let outbound: srtp_t?
    private let inbound: srtp_t?
    /// Our RFC 7714 transform, when it runs this profile.
    let sender: SRTPAEADSender?
    let receiver: SRTPAEADReceiver?

    /// `srtp_init` runs once per process (a Swift global is initialised exactly once, thread-safely).
    private static let libraryStatus: srtp_err_status_t = srtp_init()

    public convenience init(keyingMaterial: SRTPKeyingMaterial) throws {
        try self.init(keyingMaterial: keyingMaterial, backend: .automatic)
    }

    init(keyingMaterial: SRTPKeyingMaterial, backend: Backend) throws {
        let profile = keyingMaterial.profile
        guard keyingMaterial.localMasterKey.count == profile.masterKeyLength,
              keyingMaterial.remoteMasterKey.count == profile.masterKeyLength,
              keyingMaterial.localMasterSalt.count == profile.masterSaltLength,
              keyingMaterial.remoteMasterSalt.count == profile.masterSaltLength else {
            throw DTLSError.srtp("key or salt length does not match \(profile)")
        }
        self.profile = profile
        if profile == .aeadAes128Gcm && backend == .automatic {
            // RFC 7714 §11: session keys and salts from the master key and 96-bit master salt.
            var local = try SRTPAEADSessionKeys(masterKey: keyingMaterial.localMasterKey,
                                                masterSalt: keyingMaterial.localMasterSalt)
            var remote = try SRTPAEADSessionKeys(masterKey: keyingMaterial.remoteMasterKey,
                                                 masterSalt: keyingMaterial.remoteMasterSalt)
            defer { local.wipe(); remote.wipe() }
            sender = try SRTPAEADSender(sessionKeys: local)
            receiver = try SRTPAEADReceiver(sessionKeys: remote)
            outbound = nil
            inbound = nil
            return
        }
        let status = Self.libraryStatus
        guard status == srtp_err_status_ok else { throw DTLSError.srtp("srtp_init: \(Self.describe(status))") }
        sender = nil
        receiver = nil
        let outbound = try Self.makeSession(profile: profile, direction: ssrc_any_outbound,
                                            key: keyingMaterial.localMasterKey + keyingMaterial.localMasterSalt)
        do {
            inbound = try Self.makeSession(profile: profile, direction: ssrc_any_inbound,
                                           key: keyingMaterial.remoteMasterKey + keyingMaterial.remoteMasterSalt)
        } catch {
            srtp_dealloc(outbound)
            throw error
        }
        self.outbound = outbound
    }

    deinit {
        if let outbound { srtp_dealloc(outbound) }
        if let inbound { srtp_dealloc(inbound) }
    }

    /// Which implementation this session uses.
    var backend: Backend { sender == nil ? .libsrtp : .automatic }

    /// Encrypts and authenticates an RTP packet in place (RFC 3711 §3.3). `buffer` must have
    /// room for `length + maxTrailer` bytes. Returns the new length.
    @inline(__always)
    public func protectRTP(_ buffer: UnsafeMutableRawPointer, length: Int) throws(DTLSError) -> Int {
        guard length >= 0 && length <= 65_535 else { throw DTLSError.srtp("bad length \(length)") }
        if let sender { return try sender.protectRTP(buffer, length: length) }
        var newLength = Int32(truncatingIfNeeded: length)
        try Self.check(srtp_protect(outbound, buffer, &newLength))
        return Int(newLength)
    }

    /// Authenticates, replay-checks and decrypts an SRTP packet in place. Returns the new length.
    @inline(__always)
    public func unprotectRTP(_ buffer: UnsafeMutableRawPointer, length: Int) throws(DTLSError) -> Int {
        guard length >= 0 && length <= 65_535 else { throw DTLSError.srtp("bad length \(length)") }
        if let receiver { return try receiver.unprotectRTP(buffer, length: length) }
        var newLength = Int32(truncatingIfNeeded: length)
        try Self.check(srtp_unprotect(inbound, buffer, &newLength))
        return Int(newLength)
    }

    /// Protects an RTCP compound packet in place (RFC 3711 §3.4). `buffer` must have room for
    /// `length + maxTrailer` bytes. Returns the new length.
    @inline(__always)
    public func protectRTCP(_ buffer: UnsafeMutableRawPointer, length: Int) throws(DTLSError) -> Int {
        guard length >= 0 && length <= 65_535 else { throw DTLSError.srtp("bad length \(length)") }
        if let sender { return try sender.protectRTCP(buffer, length: length) }
        var newLength = Int32(truncatingIfNeeded: length)
        try Self.check(srtp_protect_rtcp(outbound, buffer, &newLength))
        return Int(newLength)
    }

    /// Authenticates, replay-checks and decrypts an SRTCP packet in place. Returns the new length.
    @inline(__always)
    public func unprotectRTCP(_ buffer: UnsafeMutableRawPointer, length: Int) throws(DTLSError) -> Int {
        guard length >= 0 && length <= 65_535 else { throw DTLSError.srtp("bad length \(length)") }
        if let receiver { return try receiver.unprotectRTCP(buffer, length: length) }
        var newLength = Int32(truncatingIfNeeded: length)
        try Self.check(srtp_unprotect_rtcp(inbound, buffer, &newLength))
        return Int(newLength)
    }

    // MARK: - Helpers

    @inline(__always)
    private static func check(_ status: srtp_err_status_t) throws(DTLSError) {
        if status != srtp_err_status_ok { throw DTLSError.srtp(describe(status)) }
    }

    private static func makeSession(profile: SRTPProtectionProfile, direction: srtp_ssrc_type_t,
                                    key: [UInt8]) throws -> srtp_t {
        var policy = srtp_policy_t()
        switch profile {
        case .aes128CmHmacSha1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)  // AES_CM_128_HMAC_SHA1_80
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aeadAes128Gcm:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)  // RFC 7714 §14.2
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        }
        policy.ssrc.type = direction
        policy.ssrc.value = 0
        policy.window_size = UInt(replayWindowSize)
        // We retransmit on NACK with the original sequence number (RFC 4588 is not used).
        policy.allow_repeat_tx = 1
        policy.next = nil
        var keyCopy = key
        var session: srtp_t?
        let status = keyCopy.withUnsafeMutableBufferPointer { keyBuffer -> srtp_err_status_t in
            policy.key = keyBuffer.baseAddress
            return srtp_create(&session, &policy)
        }
        // libsrtp copied the key into its own state; wipe ours.
        for index in keyCopy.indices { keyCopy[index] = 0 }
        guard status == srtp_err_status_ok, let session else {
            throw DTLSError.srtp("srtp_create: \(describe(status))")
        }
        return session
    }

    static func describe(_ status: srtp_err_status_t) -> String {
        switch status {
        case srtp_err_status_ok: return "ok"
        case srtp_err_status_fail: return "fail"
        case srtp_err_status_bad_param: return "bad_param"
        case srtp_err_status_alloc_fail: return "alloc_fail"
        case srtp_err_status_init_fail: return "init_fail"
        case srtp_err_status_auth_fail: return "auth_fail"
        case srtp_err_status_cipher_fail: return "cipher_fail"
        case srtp_err_status_replay_fail: return "replay_fail"
        case srtp_err_status_replay_old: return "replay_old"
        case srtp_err_status_no_ctx: return "no_ctx"
        case srtp_err_status_parse_err: return "parse_err"
        case srtp_err_status_bad_mki: return "bad_mki"
        case srtp_err_status_pkt_idx_old: return "pkt_idx_old"
        case srtp_err_status_pkt_idx_adv: return "pkt_idx_adv"
        default: return "error \(status.rawValue)"
        }
    }
}
