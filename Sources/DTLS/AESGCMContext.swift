import CDTLS

/// The 96-bit AES-GCM nonce of one SRTP or SRTCP packet (RFC 7714 §8.1, §9.1), as three
/// big-endian words so that building it costs three XORs and no memory.
struct AEADNonce {
    var word0: UInt32
    var word1: UInt32
    var word2: UInt32
}

/// AES-128-GCM (NIST SP 800-38D) with one key, over one OpenSSL `EVP_CIPHER_CTX` that is keyed
/// once and reused for every packet: a packet only sets the nonce, feeds the AAD and the data,
/// and reads or checks the tag. Nothing here allocates after `init`.
///
/// One instance either seals (encrypts) or opens (decrypts); which is fixed at `init`.
/// Not thread-safe: one owner uses it.
final class AESGCMContext {
    enum Operation { case seal, open }

    static let keyLength = 16
    static let nonceLength = 12
    /// RFC 7714 §12: AEAD_AES_128_GCM carries the full 16-octet tag.
    static let tagLength = 16

    let operation: Operation
    private let context: OpaquePointer
    /// 12 bytes for the nonce of the packet being processed (and 4 spare), allocated once.
    private let nonceScratch: UnsafeMutableRawPointer

    init(key: [UInt8], operation: Operation) throws(DTLSError) {
        guard key.count == Self.keyLength else { throw DTLSError.srtp("bad_param") }
        guard let context = EVP_CIPHER_CTX_new() else {
            throw DTLSError.openssl(openSSLErrorQueue("EVP_CIPHER_CTX_new"))
        }
        // An explicit fetch, once: OpenSSL 3 would otherwise fetch the provider's implementation
        // implicitly; per-packet re-initialisation below passes no cipher and fetches nothing.
        guard let cipher = EVP_CIPHER_fetch(nil, "AES-128-GCM", nil) else {
            EVP_CIPHER_CTX_free(context)
            throw DTLSError.openssl(openSSLErrorQueue("EVP_CIPHER_fetch(AES-128-GCM)"))
        }
        defer { EVP_CIPHER_free(cipher) }  // the context holds its own reference
        let status = key.withUnsafeBufferPointer { key in
            EVP_CipherInit_ex(context, cipher, nil, key.baseAddress, nil, operation == .seal ? 1 : 0)
        }
        guard status == 1, EVP_CIPHER_CTX_get_iv_length(context) == Int32(Self.nonceLength) else {
            EVP_CIPHER_CTX_free(context)
            throw DTLSError.openssl(openSSLErrorQueue("EVP_CipherInit_ex(AES-128-GCM)"))
        }
        self.context = context
        self.operation = operation
        nonceScratch = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16)
    }

    deinit {
        EVP_CIPHER_CTX_free(context)  // also cleanses the key schedule
        nonceScratch.deallocate()
    }

    /// Encrypts `length` bytes at `data` in place and writes the 16-byte tag at `tag`,
    /// authenticating `aad` (`aadLength` bytes) then `aad2` (`aad2Length` bytes) as the
    /// associated data (NIST SP 800-38D §7.1). Returns false if OpenSSL reports an error.
    @inline(__always)
    func seal(nonce: AEADNonce, aad: UnsafeRawPointer, aadLength: Int,
              aad2: UnsafeRawPointer?, aad2Length: Int,
              data: UnsafeMutableRawPointer, length: Int, tag: UnsafeMutableRawPointer) -> Bool {
        var written: Int32 = 0
        guard begin(nonce: nonce, aad: aad, aadLength: aadLength, aad2: aad2, aad2Length: aad2Length),
              process(data: data, length: length),
              EVP_CipherFinal_ex(context, tag.assumingMemoryBound(to: UInt8.self), &written) == 1,
              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(Self.tagLength), tag) == 1 else {
            return failed()
        }
        return true
    }

    /// Decrypts `length` bytes at `data` in place and checks the 16-byte tag at `tag` over the
    /// associated data and the ciphertext. Returns false when the tag does not verify (the
    /// bytes at `data` are then garbage and must be dropped) or OpenSSL reports an error.
    @inline(__always)
    func open(nonce: AEADNonce, aad: UnsafeRawPointer, aadLength: Int,
              aad2: UnsafeRawPointer?, aad2Length: Int,
              data: UnsafeMutableRawPointer?, length: Int, tag: UnsafeRawPointer) -> Bool {
        guard begin(nonce: nonce, aad: aad, aadLength: aadLength, aad2: aad2, aad2Length: aad2Length) else {
            return failed()
        }
        if let data, !process(data: data, length: length) { return failed() }
        // OpenSSL takes a mutable pointer for a tag it only reads.
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(Self.tagLength),
                                  UnsafeMutableRawPointer(mutating: tag)) == 1 else { return failed() }
        var written: Int32 = 0
        // The final block of GCM writes nothing; the nonce scratch stands in for the output.
        guard EVP_CipherFinal_ex(context, nonceScratch.assumingMemoryBound(to: UInt8.self), &written) == 1 else {
            return failed()
        }
        return true
    }

    /// A failure must not leave entries in this thread's OpenSSL error queue: the DTLS
    /// endpoint on the same thread reads that queue through `SSL_get_error`.
    private func failed() -> Bool {
        ERR_clear_error()
        return false
    }

    /// Sets the packet's nonce (the key stays) and feeds the associated data.
    @inline(__always)
    private func begin(nonce: AEADNonce, aad: UnsafeRawPointer, aadLength: Int,
                       aad2: UnsafeRawPointer?, aad2Length: Int) -> Bool {
        nonceScratch.storeBytes(of: nonce.word0.bigEndian, toByteOffset: 0, as: UInt32.self)
        nonceScratch.storeBytes(of: nonce.word1.bigEndian, toByteOffset: 4, as: UInt32.self)
        nonceScratch.storeBytes(of: nonce.word2.bigEndian, toByteOffset: 8, as: UInt32.self)
        // enc = -1: keep the direction chosen at init.
        guard EVP_CipherInit_ex(context, nil, nil, nil, nonceScratch.assumingMemoryBound(to: UInt8.self), -1) == 1 else {
            return false
        }
        var written: Int32 = 0
        if aadLength > 0 {
            guard EVP_CipherUpdate(context, nil, &written, aad.assumingMemoryBound(to: UInt8.self),
                                   Int32(aadLength)) == 1 else { return false }
        }
        if let aad2, aad2Length > 0 {
            guard EVP_CipherUpdate(context, nil, &written, aad2.assumingMemoryBound(to: UInt8.self),
                                   Int32(aad2Length)) == 1 else { return false }
        }
        return true
    }

    /// Encrypts or decrypts in place (GCM is a stream mode: output length equals input length).
    @inline(__always)
    private func process(data: UnsafeMutableRawPointer, length: Int) -> Bool {
        guard length > 0 else { return true }
        let bytes = data.assumingMemoryBound(to: UInt8.self)
        var written: Int32 = 0
        return EVP_CipherUpdate(context, bytes, &written, bytes, Int32(length)) == 1 && Int(written) == length
    }
}
