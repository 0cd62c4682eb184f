import XCTest
@testable import DTLS

/// RFC 7714 §16–17 (AEAD_AES_128_GCM) and RFC 3711 Appendix B.3 (key derivation) vectors.
final class SRTPAEADVectorTests: XCTestCase {
    /// RFC 7714 §16–17 give the session key and salt directly (no KDF).
    private let sessionKey = srtpHex("000102030405060708090a0b0c0d0e0f")
    private let sessionSalt = srtpHex("517569642070726f2071756f")  // "Quid pro quo"

    private var sessionKeys: SRTPAEADSessionKeys {
        SRTPAEADSessionKeys(rtpKey: sessionKey, rtpSalt: sessionSalt, rtcpKey: sessionKey, rtcpSalt: sessionSalt)
    }

    /// RFC 7714 §16: SSRC 0x5501a0b2, seq 0xf17b, ROC 0, "Gallia est omnis divisa in partes tres".
    private let rtpPlain = srtpHex("""
        8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976
        69736120 696e2070 61727465 73207472 6573
        """)
    /// RFC 7714 §16.1.1.
    private let rtpProtected = srtpHex("""
        8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5
        0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce
        """)

    /// RFC 7714 §17.1–17.4: the sender report the subsections protect, SSRC "Mars", index 0x5d4.
    private let rtcpPlain = srtpHex("""
        81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
        deadbeef deadbeef deadbeef deadbeef deadbeef
        """)
    /// RFC 7714 §17.1 (E flag set).
    private let rtcpProtected = srtpHex("""
        81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d
        c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872
        45d9eade 800005d4
        """)
    /// RFC 7714 §17.3: authenticated, not encrypted (E flag clear, §9.3).
    private var rtcpTagOnly: [UInt8] {
        rtcpPlain + srtpHex("841dd968 3dd78ec9 2ae58790 125f62b3 000005d4")
    }

    func testRFC7714Nonces() {
        let salt = SRTPSessionSalt(sessionSalt)!
        let rtp = salt.rtpNonce(ssrc: 0x5501_A0B2, rolloverCounter: 0, sequence: 0xF17B)
        XCTAssertEqual(srtpBigEndian(rtp.word0) + srtpBigEndian(rtp.word1) + srtpBigEndian(rtp.word2),
                       srtpHex("51753c6580c2726f20718414"), "RFC 7714 §16.1.1 IV")
        let rtcp = salt.rtcpNonce(ssrc: 0x4D61_7273, index: 0x5D4)
        XCTAssertEqual(srtpBigEndian(rtcp.word0) + srtpBigEndian(rtcp.word1) + srtpBigEndian(rtcp.word2),
                       srtpHex("517524055203726f207170bb"), "RFC 7714 §17.1 IV")
    }

    func testRFC7714RTPEncryptionAndDecryption() throws {
        let sender = try SRTPAEADSender(sessionKeys: sessionKeys)
        let protected = try srtpApply(rtpPlain) { try sender.protectRTP($0, length: $1) }
        XCTAssertEqual(protected, rtpProtected)

        let receiver = try SRTPAEADReceiver(sessionKeys: sessionKeys)
        XCTAssertEqual(try srtpApply(rtpProtected) { try receiver.unprotectRTP($0, length: $1) }, rtpPlain)
    }

    func testRFC7714RTPWithTamperedTagOrHeaderIsRejected() throws {
        for position in [0, 5, 11, 12, rtpProtected.count - 16, rtpProtected.count - 1] {
            var tampered = rtpProtected
            tampered[position] ^= 0x04
            let receiver = try SRTPAEADReceiver(sessionKeys: sessionKeys)
            assertSRTPError(position == 0 ? nil : "auth_fail", "byte \(position)") {
                try srtpApply(tampered) { try receiver.unprotectRTP($0, length: $1) }
            }
            XCTAssertEqual(receiver.streamCount, 0, "a forged packet creates no stream")
        }
    }

    func testRFC7714SRTCPEncryptionAndDecryption() throws {
        let sender = try SRTPAEADSender(sessionKeys: sessionKeys)
        try sender.setNextSRTCPIndex(0x5D4, ssrc: 0x4D61_7273)
        let protected = try srtpApply(rtcpPlain) { try sender.protectRTCP($0, length: $1) }
        XCTAssertEqual(protected, rtcpProtected)

        let receiver = try SRTPAEADReceiver(sessionKeys: sessionKeys)
        XCTAssertEqual(try srtpApply(rtcpProtected) { try receiver.unprotectRTCP($0, length: $1) }, rtcpPlain)
        assertSRTPError("replay_fail") { try srtpApply(self.rtcpProtected) { try receiver.unprotectRTCP($0, length: $1) } }
    }

    func testRFC7714SRTCPAuthenticationOnlyDecryption() throws {
        let receiver = try SRTPAEADReceiver(sessionKeys: sessionKeys)
        XCTAssertEqual(try srtpApply(rtcpTagOnly) { try receiver.unprotectRTCP($0, length: $1) }, rtcpPlain)

        var tampered = rtcpTagOnly
        tampered[20] ^= 0x01  // clear payload: covered by the tag all the same (§9.3)
        let fresh = try SRTPAEADReceiver(sessionKeys: sessionKeys)
        assertSRTPError("auth_fail") { try srtpApply(tampered) { try fresh.unprotectRTCP($0, length: $1) } }
    }

    func testRFC7714SRTCPWithFlippedEncryptionFlagIsRejected() throws {
        var flipped = rtcpProtected
        flipped[flipped.count - 4] ^= 0x80  // E is in the AAD (§9.2)
        let receiver = try SRTPAEADReceiver(sessionKeys: sessionKeys)
        assertSRTPError("auth_fail") { try srtpApply(flipped) { try receiver.unprotectRTCP($0, length: $1) } }
    }

    /// RFC 3711 Appendix B.3 (AES-CM PRF, kdr 0, 112-bit salt).
    func testRFC3711KeyDerivation() throws {
        let masterKey = srtpHex("E1F97A0D3E018BE0D64FA32C06DE4139")
        let masterSalt = srtpHex("0EC675AD498AFEEBB6960B3AABE6")
        XCTAssertEqual(try SRTPKeyDerivation.derive(masterKey: masterKey, masterSalt: masterSalt,
                                                    label: .rtpEncryption, length: 16),
                       srtpHex("C61E7A93744F39EE10734AFE3FF7A087"))
        XCTAssertEqual(try SRTPKeyDerivation.derive(masterKey: masterKey, masterSalt: masterSalt,
                                                    label: .rtpSalt, length: 14),
                       srtpHex("30CBBC08863D8C85D49DB34A9AE1"))
        XCTAssertEqual(try SRTPKeyDerivation.derive(masterKey: masterKey, masterSalt: masterSalt,
                                                    label: .rtpAuthentication, length: 20),
                       srtpHex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"))
    }

    func testKeyDerivationRejectsBadLengths() {
        assertSRTPError("bad_param") {
            try SRTPKeyDerivation.derive(masterKey: [1, 2, 3], masterSalt: [UInt8](repeating: 0, count: 12),
                                         label: .rtpEncryption, length: 16)
        }
        assertSRTPError("bad_param") {
            try SRTPAEADSessionKeys(masterKey: [UInt8](repeating: 0, count: 16), masterSalt: [UInt8](repeating: 0, count: 14))
        }
        assertSRTPError("bad_param") {
            try SRTPAEADSender(sessionKeys: SRTPAEADSessionKeys(rtpKey: [UInt8](repeating: 0, count: 16), rtpSalt: [1],
                                                                rtcpKey: [UInt8](repeating: 0, count: 16),
                                                                rtcpSalt: [UInt8](repeating: 0, count: 12)))
        }
    }
}

import CDTLS

extension SRTPAEADVectorTests {
    /// A packet that fails to authenticate must leave nothing in OpenSSL's error queue, which
    /// the DTLS endpoint on the same thread reads through `SSL_get_error`.
    func testFailedOpenLeavesOpenSSLErrorQueueEmpty() throws {
        ERR_clear_error()
        var tampered = rtpProtected
        tampered[tampered.count - 1] ^= 0x01
        let receiver = try SRTPAEADReceiver(sessionKeys: sessionKeys)
        for _ in 0..<3 {
            assertSRTPError("auth_fail") { try srtpApply(tampered) { try receiver.unprotectRTP($0, length: $1) } }
        }
        XCTAssertEqual(ERR_peek_error(), 0)
    }
}
