// BoringSSL, as vendored by swift-crypto (a dependency already): its one-call AEAD interface
// costs about 120 ns for a 100-byte packet against about 280 ns for OpenSSL 3's five EVP calls
// (provider dispatch, OSSL_PARAM name lookups), and its key state is one allocation.
// Its symbols carry a prefix, so it links beside the OpenSSL that DTLS uses. Its headers do
// not mix with OpenSSL's in one Swift module (clang rejects the two definitions of each
// same-named struct), so this module is on its own and imports it `internal`ly: DTLS, which
// imports OpenSSL, never loads BoringSSL's headers.
@preconcurrency internal import CCryptoBoringSSL

/// The 96-bit AES-GCM nonce of one SRTP or SRTCP packet (RFC 7714 §8.1, §9.1), as three
/// big-endian words so that building it costs three XORs and no memory.
package struct AEADNonce {
    package var word0: UInt32
    package var word1: UInt32
    package var word2: UInt32

    package init(word0: UInt32, word1: UInt32, word2: UInt32) {
        self.word0 = word0
        self.word1 = word1
        self.word2 = word2
    }
}

/// AES-128-GCM (NIST SP 800-38D) with one key, over one BoringSSL `EVP_AEAD_CTX` that is keyed
/// once and reused for every packet: a packet costs one seal or open call with its nonce.
/// Nothing here allocates after `init`, except when associated data in two pieces is longer
/// than the scratch that joins them (RTCP only; the scratch then grows once).
///
/// One instance either seals (encrypts) or opens (decrypts); which is fixed at `init`.
/// Not thread-safe: one owner uses it.
package final class AESGCMContext {
    package enum Operation: Sendable { case seal, open }

    package static let keyLength = 16
    package static let nonceLength = 12
    /// RFC 7714 §12: AEAD_AES_128_GCM carries the full 16-octet tag.
    package static let tagLength = 16

    package let operation: Operation
    private let context: UnsafeMutablePointer<EVP_AEAD_CTX>
    /// 12 bytes for the nonce of the packet being processed (and 4 spare), allocated once.
    private let nonceScratch: UnsafeMutableRawPointer
    /// Joins associated data given in two pieces (SRTCP: the clear header and the E|index
    /// trailer, RFC 7714 §9.2), since the AEAD call takes one.
    private var joinedAAD: UnsafeMutableRawBufferPointer

    /// Nil for a key that is not 16 bytes, or if BoringSSL refuses it.
    package init?(key: [UInt8], operation: Operation) {
        guard key.count == Self.keyLength else { return nil }
        let context = UnsafeMutablePointer<EVP_AEAD_CTX>.allocate(capacity: 1)
        CCryptoBoringSSL_EVP_AEAD_CTX_zero(context)
        let status = key.withUnsafeBufferPointer { key in
            CCryptoBoringSSL_EVP_AEAD_CTX_init(context, CCryptoBoringSSL_EVP_aead_aes_128_gcm(),
                                               key.baseAddress, key.count, Self.tagLength, nil)
        }
        guard status == 1 else {
            context.deallocate()
            CCryptoBoringSSL_ERR_clear_error()
            return nil
        }
        self.context = context
        self.operation = operation
        nonceScratch = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
        joinedAAD = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 16)
    }

    deinit {
        CCryptoBoringSSL_EVP_AEAD_CTX_cleanup(context)  // also cleanses the key schedule
        context.deallocate()
        nonceScratch.deallocate()
        joinedAAD.deallocate()
    }

    /// Encrypts `length` bytes at `data` in place and writes the 16-byte tag at `tag`,
    /// authenticating `aad` (`aadLength` bytes) then `aad2` (`aad2Length` bytes) as the
    /// associated data (NIST SP 800-38D §7.1). Returns false if the cipher reports an error.
    package func seal(nonce: AEADNonce, aad: UnsafeRawPointer, aadLength: Int,
              aad2: UnsafeRawPointer?, aad2Length: Int,
              data: UnsafeMutableRawPointer, length: Int, tag: UnsafeMutableRawPointer) -> Bool {
        let (ad, adLength) = associatedData(aad, aadLength, aad2, aad2Length)
        let bytes = data.assumingMemoryBound(to: UInt8.self)
        var tagLength = 0
        let status = CCryptoBoringSSL_EVP_AEAD_CTX_seal_scatter(
            context, bytes, tag.assumingMemoryBound(to: UInt8.self), &tagLength, Self.tagLength,
            setNonce(nonce), Self.nonceLength, bytes, length, nil, 0, ad, adLength)
        guard status == 1, tagLength == Self.tagLength else { return failed() }
        return true
    }

    /// Decrypts `length` bytes at `data` in place and checks the 16-byte tag at `tag` over the
    /// associated data and the ciphertext. Returns false when the tag does not verify (the
    /// bytes at `data` are then unspecified and must be dropped) or the cipher reports an error.
    package func open(nonce: AEADNonce, aad: UnsafeRawPointer, aadLength: Int,
              aad2: UnsafeRawPointer?, aad2Length: Int,
              data: UnsafeMutableRawPointer?, length: Int, tag: UnsafeRawPointer) -> Bool {
        let (ad, adLength) = associatedData(aad, aadLength, aad2, aad2Length)
        // With no ciphertext (an unencrypted SRTCP packet, E = 0) only the tag is checked; the
        // nonce scratch stands in for the empty buffers.
        let bytes = data?.assumingMemoryBound(to: UInt8.self) ?? nonceScratch.assumingMemoryBound(to: UInt8.self)
        let status = CCryptoBoringSSL_EVP_AEAD_CTX_open_gather(
            context, bytes, setNonce(nonce), Self.nonceLength, bytes, data == nil ? 0 : length,
            tag.assumingMemoryBound(to: UInt8.self), Self.tagLength, ad, adLength)
        return status == 1 ? true : failed()
    }

    /// A failed open leaves an entry in BoringSSL's error queue (a fixed ring per thread);
    /// clear it so nothing reads a stale reason later.
    private func failed() -> Bool {
        CCryptoBoringSSL_ERR_clear_error()
        return false
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
