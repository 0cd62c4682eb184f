import CSRTPCipher

/// The 96-bit AES-GCM nonce of one SRTP or SRTCP packet (RFC 7714 §8.1, §9.1), as three
/// big-endian words so that building it costs three XORs and no memory.
struct AEADNonce {
    var word0: UInt32
    var word1: UInt32
    var word2: UInt32
}

/// AES-128-GCM (NIST SP 800-38D) with one key, keyed once and reused for every packet: a packet
/// costs one seal or open call with its nonce. Over BoringSSL's one-call AEAD (the copy
/// swift-crypto vendors, behind the `CSRTPCipher` shim): about 120 ns for a 100-byte packet
/// against about 270 ns for OpenSSL 3's five EVP calls (provider dispatch, OSSL_PARAM name
/// lookups). Nothing here allocates after `init`, except when associated data in two pieces
/// is longer than the scratch that joins them (RTCP only; the scratch then grows once).
///
/// Not thread-safe: one owner uses it.
final class AESGCMContext {
    static let keyLength = 16
    static let nonceLength = 12
    /// RFC 7714 §12: AEAD_AES_128_GCM carries the full 16-octet tag.
    static let tagLength = 16

    private let gcm: OpaquePointer
    /// 12 bytes for the nonce of the packet being processed (and 4 spare), allocated once.
    private let nonceScratch: UnsafeMutableRawPointer
    /// Joins associated data given in two pieces (SRTCP: the clear header and the E|index
    /// trailer, RFC 7714 §9.2), since the AEAD call takes one.
    private var joinedAAD: UnsafeMutableRawBufferPointer

    init(key: [UInt8]) throws(DTLSError) {
        guard key.count == Self.keyLength else { throw DTLSError.srtp("bad_param") }
        guard let gcm = key.withUnsafeBufferPointer({ csrtp_gcm_new($0.baseAddress, $0.count) }) else {
            throw DTLSError.srtp("cipher_init_fail")
        }
        self.gcm = gcm
        nonceScratch = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
        joinedAAD = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 16)
    }

    deinit {
        csrtp_gcm_free(gcm)
        nonceScratch.deallocate()
        joinedAAD.deallocate()
    }

    /// Encrypts `length` bytes at `data` in place and writes the 16-byte tag at `tag`,
    /// authenticating `aad` (`aadLength` bytes) then `aad2` (`aad2Length` bytes) as the
    /// associated data (NIST SP 800-38D §7.1). Returns false if the cipher reports an error.
    @inline(__always)
    func seal(nonce: AEADNonce, aad: UnsafeRawPointer, aadLength: Int,
              aad2: UnsafeRawPointer?, aad2Length: Int,
              data: UnsafeMutableRawPointer, length: Int, tag: UnsafeMutableRawPointer) -> Bool {
        let (ad, adLength) = associatedData(aad, aadLength, aad2, aad2Length)
        return csrtp_gcm_seal(gcm, setNonce(nonce), ad, adLength, data.assumingMemoryBound(to: UInt8.self), length,
                              tag.assumingMemoryBound(to: UInt8.self)) == 1
    }

    /// Decrypts `length` bytes at `data` in place and checks the 16-byte tag at `tag` over the
    /// associated data and the ciphertext. Returns false when the tag does not verify (the
    /// bytes at `data` are then unspecified and must be dropped) or the cipher reports an error.
    @inline(__always)
    func open(nonce: AEADNonce, aad: UnsafeRawPointer, aadLength: Int,
              aad2: UnsafeRawPointer?, aad2Length: Int,
              data: UnsafeMutableRawPointer?, length: Int, tag: UnsafeRawPointer) -> Bool {
        let (ad, adLength) = associatedData(aad, aadLength, aad2, aad2Length)
        // With no ciphertext (an unencrypted SRTCP packet, E = 0) only the tag is checked; the
        // nonce scratch stands in for the empty buffer.
        let bytes = (data ?? nonceScratch).assumingMemoryBound(to: UInt8.self)
        return csrtp_gcm_open(gcm, setNonce(nonce), ad, adLength, bytes, data == nil ? 0 : length,
                              tag.assumingMemoryBound(to: UInt8.self)) == 1
    }

    @inline(__always)
    private func setNonce(_ nonce: AEADNonce) -> UnsafePointer<UInt8> {
        nonceScratch.storeBytes(of: nonce.word0.bigEndian, toByteOffset: 0, as: UInt32.self)
        nonceScratch.storeBytes(of: nonce.word1.bigEndian, toByteOffset: 4, as: UInt32.self)
        nonceScratch.storeBytes(of: nonce.word2.bigEndian, toByteOffset: 8, as: UInt32.self)
        return UnsafePointer(nonceScratch.assumingMemoryBound(to: UInt8.self))
    }

    /// The associated data as one piece: `aad` itself, or both pieces copied into the scratch.
    @inline(__always)
    private func associatedData(_ aad: UnsafeRawPointer, _ aadLength: Int,
                                _ aad2: UnsafeRawPointer?, _ aad2Length: Int) -> (UnsafePointer<UInt8>, Int) {
        guard let aad2, aad2Length > 0 else { return (aad.assumingMemoryBound(to: UInt8.self), aadLength) }
        let total = aadLength + aad2Length
        if total > joinedAAD.count {
            let capacity = max(total, 2 * joinedAAD.count)
            joinedAAD.deallocate()
            joinedAAD = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        }
        let base = joinedAAD.baseAddress!
        base.copyMemory(from: aad, byteCount: aadLength)
        (base + aadLength).copyMemory(from: aad2, byteCount: aad2Length)
        return (UnsafePointer(base.assumingMemoryBound(to: UInt8.self)), total)
    }
}
