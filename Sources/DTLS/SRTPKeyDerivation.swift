import CDTLS

/// The SRTP key derivation function of RFC 3711 §4.3 with the AES-CM PRF (§4.3.3), with key
/// derivation rate 0 (session keys derived once, §4.3.1), as RFC 7714 §11 uses it for the
/// AEAD_AES_*_GCM profiles. Runs at session setup only: it may allocate.
enum SRTPKeyDerivation {
    /// RFC 3711 §4.3.1 and §4.3.2 labels (RFC 7714 §11 uses the encryption and salt ones).
    enum Label: UInt8 {
        case rtpEncryption = 0x00
        case rtpAuthentication = 0x01
        case rtpSalt = 0x02
        case rtcpEncryption = 0x03
        case rtcpAuthentication = 0x04
        case rtcpSalt = 0x05
    }

    /// RFC 3711 §4.3.1: with kdr 0, r = 0, so key_id = label || 0^48 and
    /// x = key_id XOR master_salt, where key_id is aligned to the low 56 bits of the 112-bit
    /// salt (the label lands in byte 7). RFC 7714 §11: a 96-bit master salt is the high 96
    /// bits of that 112-bit value (zero-padded on the right).
    /// §4.3.3: the output is the AES-CM keystream AES_k(x * 2^16), AES_k(x * 2^16 + 1), ...,
    /// truncated to `length` bytes.
    static func derive(masterKey: [UInt8], masterSalt: [UInt8], label: Label, length: Int) throws(DTLSError) -> [UInt8] {
        guard masterKey.count == 16, masterSalt.count == 12 || masterSalt.count == 14, length > 0 else {
            throw DTLSError.srtp("bad_param")
        }
        var counterBlock = [UInt8](repeating: 0, count: 16)
        for index in masterSalt.indices { counterBlock[index] = masterSalt[index] }
        counterBlock[7] ^= label.rawValue
        var output = [UInt8](repeating: 0, count: length)
        guard let context = EVP_CIPHER_CTX_new() else { throw DTLSError.openssl(openSSLErrorQueue("EVP_CIPHER_CTX_new")) }
        defer { EVP_CIPHER_CTX_free(context) }
        var written: Int32 = 0
        let ok = masterKey.withUnsafeBufferPointer { key in
            counterBlock.withUnsafeBufferPointer { iv in
                output.withUnsafeMutableBufferPointer { out in
                    // Keystream = encryption of zeros in counter mode.
                    EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, key.baseAddress, iv.baseAddress) == 1
                        && EVP_EncryptUpdate(context, out.baseAddress, &written, out.baseAddress, Int32(length)) == 1
                }
            }
        }
        guard ok, Int(written) == length else { throw DTLSError.openssl(openSSLErrorQueue("SRTP KDF (AES-128-CTR)")) }
        return output
    }
}

/// The four session values RFC 7714 §11 derives from one master key and 96-bit master salt:
/// the SRTP and SRTCP encryption keys (128 bits) and salts (96 bits).
struct SRTPAEADSessionKeys {
    var rtpKey: [UInt8]
    var rtpSalt: [UInt8]
    var rtcpKey: [UInt8]
    var rtcpSalt: [UInt8]

    /// Session values given directly (RFC 7714 §16–17 test vectors state them so).
    init(rtpKey: [UInt8], rtpSalt: [UInt8], rtcpKey: [UInt8], rtcpSalt: [UInt8]) {
        self.rtpKey = rtpKey
        self.rtpSalt = rtpSalt
        self.rtcpKey = rtcpKey
        self.rtcpSalt = rtcpSalt
    }

    /// RFC 7714 §11 with AEAD_AES_128_GCM: labels 0x00, 0x02, 0x03, 0x05 of RFC 3711 §4.3.
    init(masterKey: [UInt8], masterSalt: [UInt8]) throws(DTLSError) {
        guard masterKey.count == 16, masterSalt.count == 12 else { throw DTLSError.srtp("bad_param") }
        rtpKey = try SRTPKeyDerivation.derive(masterKey: masterKey, masterSalt: masterSalt, label: .rtpEncryption, length: 16)
        rtpSalt = try SRTPKeyDerivation.derive(masterKey: masterKey, masterSalt: masterSalt, label: .rtpSalt, length: 12)
        rtcpKey = try SRTPKeyDerivation.derive(masterKey: masterKey, masterSalt: masterSalt, label: .rtcpEncryption, length: 16)
        rtcpSalt = try SRTPKeyDerivation.derive(masterKey: masterKey, masterSalt: masterSalt, label: .rtcpSalt, length: 12)
    }

    /// Overwrites the key bytes this value holds (the cipher contexts keep their own schedules).
    mutating func wipe() {
        for index in rtpKey.indices { rtpKey[index] = 0 }
        for index in rtcpKey.indices { rtcpKey[index] = 0 }
        for index in rtpSalt.indices { rtpSalt[index] = 0 }
        for index in rtcpSalt.indices { rtcpSalt[index] = 0 }
    }
}

/// A 96-bit session salt as three big-endian words, XORed into each packet's nonce.
struct SRTPSessionSalt {
    let word0: UInt32
    let word1: UInt32
    let word2: UInt32

    init?(_ bytes: [UInt8]) {
        guard bytes.count == 12 else { return nil }
        func word(_ offset: Int) -> UInt32 {
            UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
        }
        word0 = word(0)
        word1 = word(4)
        word2 = word(8)
    }

    /// RFC 7714 §8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt, 2 + 4 + 4 + 2 octets.
    @inline(__always)
    func rtpNonce(ssrc: UInt32, rolloverCounter: UInt32, sequence: UInt16) -> AEADNonce {
        AEADNonce(word0: word0 ^ (ssrc >> 16),
                  word1: word1 ^ (ssrc << 16 | rolloverCounter >> 16),
                  word2: word2 ^ (rolloverCounter << 16 | UInt32(sequence)))
    }

    /// RFC 7714 §9.1: IV = (0x0000 || SSRC || 0x0000 || 0 || SRTCP index) XOR salt,
    /// 2 + 4 + 2 + 4 octets with the index's top bit (the E flag's place) zero.
    @inline(__always)
    func rtcpNonce(ssrc: UInt32, index: UInt32) -> AEADNonce {
        AEADNonce(word0: word0 ^ (ssrc >> 16),
                  word1: word1 ^ (ssrc << 16),
                  word2: word2 ^ (index & 0x7FFF_FFFF))
    }
}
