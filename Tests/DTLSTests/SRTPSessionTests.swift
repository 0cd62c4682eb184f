import XCTest
@testable import DTLS

final class SRTPSessionTests: XCTestCase {
    private func keys(_ profile: SRTPProtectionProfile, seed: UInt64 = 1) -> SRTPKeyingMaterial {
        var random = SplitMix64(state: seed)
        return SRTPKeyingMaterial(profile: profile,
                                  localMasterKey: random.bytes(profile.masterKeyLength),
                                  localMasterSalt: random.bytes(profile.masterSaltLength),
                                  remoteMasterKey: random.bytes(profile.masterKeyLength),
                                  remoteMasterSalt: random.bytes(profile.masterSaltLength))
    }

    /// RFC 3550 §5.1 header + payload, with room for the SRTP trailer.
    private func rtpPacket(sequence: UInt16, ssrc: UInt32 = 0xCAFE_BABE, payload: Int = 160) -> [UInt8] {
        var bytes: [UInt8] = [0x80, 111, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0x10, 0,
                              UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF)]
        bytes += (0..<payload).map { UInt8(truncatingIfNeeded: $0 * 3) }
        return bytes
    }

    /// RTCP receiver report without report blocks (RFC 3550 §6.4.2).
    private func rtcpPacket(ssrc: UInt32 = 0x0102_0304) -> [UInt8] {
        [0x80, 201, 0, 1, UInt8(ssrc >> 24), UInt8((ssrc >> 16) & 0xFF), UInt8((ssrc >> 8) & 0xFF), UInt8(ssrc & 0xFF)]
    }

    /// Runs `body` over a copy of `packet` with `maxTrailer` spare bytes; returns the result bytes.
    private func transform(_ packet: [UInt8], _ body: (UnsafeMutableRawPointer, Int) throws -> Int) rethrows -> [UInt8] {
        var buffer = packet + [UInt8](repeating: 0, count: SRTPSession.maxTrailer)
        let length = try buffer.withUnsafeMutableBytes { try body($0.baseAddress!, packet.count) }
        return Array(buffer[0..<length])
    }

    func testRTPRoundTripBothProfiles() throws {
        for profile in [SRTPProtectionProfile.aes128CmHmacSha1_80, .aeadAes128Gcm] {
            let material = keys(profile)
            let sender = try SRTPSession(keyingMaterial: material)
            let receiver = try SRTPSession(keyingMaterial: material.mirrored)
            for sequence in UInt16(100)..<110 {
                let plain = rtpPacket(sequence: sequence)
                let protected = try transform(plain) { try sender.protectRTP($0, length: $1) }
                XCTAssertEqual(protected.count, plain.count + (profile == .aeadAes128Gcm ? 16 : 10), "\(profile)")
                XCTAssertEqual(Array(protected[0..<12]), Array(plain[0..<12]), "header stays clear")
                XCTAssertNotEqual(Array(protected[12..<plain.count]), Array(plain[12...]), "payload encrypted")
                let recovered = try transform(protected) { try receiver.unprotectRTP($0, length: $1) }
                XCTAssertEqual(recovered, plain, "\(profile)")
            }
        }
    }

    func testRTCPRoundTripBothProfiles() throws {
        for profile in [SRTPProtectionProfile.aes128CmHmacSha1_80, .aeadAes128Gcm] {
            let material = keys(profile)
            let sender = try SRTPSession(keyingMaterial: material)
            let receiver = try SRTPSession(keyingMaterial: material.mirrored)
            for _ in 0..<5 {
                let plain = rtcpPacket()
                let protected = try transform(plain) { try sender.protectRTCP($0, length: $1) }
                // RFC 3711 §3.4: E-flag + 31-bit index (4 bytes) + tag (10 or 16 bytes).
                XCTAssertEqual(protected.count, plain.count + 4 + (profile == .aeadAes128Gcm ? 16 : 10), "\(profile)")
                let recovered = try transform(protected) { try receiver.unprotectRTCP($0, length: $1) }
                XCTAssertEqual(recovered, plain, "\(profile)")
            }
        }
    }

    func testTamperedPacketsAreRejected() throws {
        for profile in [SRTPProtectionProfile.aes128CmHmacSha1_80, .aeadAes128Gcm] {
            let material = keys(profile)
            let sender = try SRTPSession(keyingMaterial: material)
            let receiver = try SRTPSession(keyingMaterial: material.mirrored)
            var protected = try transform(rtpPacket(sequence: 1)) { try sender.protectRTP($0, length: $1) }
            protected[20] ^= 0x01
            XCTAssertThrowsError(try transform(protected) { try receiver.unprotectRTP($0, length: $1) }) { error in
                XCTAssertEqual(error as? DTLSError, .srtp("auth_fail"), "\(profile)")
            }
            var protectedRTCP = try transform(rtcpPacket()) { try sender.protectRTCP($0, length: $1) }
            protectedRTCP[5] ^= 0x80
            XCTAssertThrowsError(try transform(protectedRTCP) { try receiver.unprotectRTCP($0, length: $1) }, "\(profile)")
            // Wrong direction: our own outbound packet does not authenticate with the remote key.
            let own = try transform(rtpPacket(sequence: 2)) { try sender.protectRTP($0, length: $1) }
            XCTAssertThrowsError(try transform(own) { try sender.unprotectRTP($0, length: $1) }, "\(profile)")
        }
    }

    func testReplayedPacketsAreRejected() throws {
        for profile in [SRTPProtectionProfile.aes128CmHmacSha1_80, .aeadAes128Gcm] {
            let material = keys(profile)
            let sender = try SRTPSession(keyingMaterial: material)
            let receiver = try SRTPSession(keyingMaterial: material.mirrored)
            let protected = try transform(rtpPacket(sequence: 500)) { try sender.protectRTP($0, length: $1) }
            _ = try transform(protected) { try receiver.unprotectRTP($0, length: $1) }
            XCTAssertThrowsError(try transform(protected) { try receiver.unprotectRTP($0, length: $1) }) { error in
                XCTAssertEqual(error as? DTLSError, .srtp("replay_fail"), "\(profile)")
            }
            let protectedRTCP = try transform(rtcpPacket()) { try sender.protectRTCP($0, length: $1) }
            _ = try transform(protectedRTCP) { try receiver.unprotectRTCP($0, length: $1) }
            XCTAssertThrowsError(try transform(protectedRTCP) { try receiver.unprotectRTCP($0, length: $1) }, "\(profile)")
            // Out of order within the window is fine.
            let later = try transform(rtpPacket(sequence: 510)) { try sender.protectRTP($0, length: $1) }
            let earlier = try transform(rtpPacket(sequence: 505)) { try sender.protectRTP($0, length: $1) }
            XCTAssertNoThrow(try transform(later) { try receiver.unprotectRTP($0, length: $1) })
            XCTAssertNoThrow(try transform(earlier) { try receiver.unprotectRTP($0, length: $1) })
        }
    }

    func testRetransmissionWithSameSequenceIsAllowedOnSend() throws {
        let material = keys(.aeadAes128Gcm)
        let sender = try SRTPSession(keyingMaterial: material)
        let first = try transform(rtpPacket(sequence: 9)) { try sender.protectRTP($0, length: $1) }
        let again = try transform(rtpPacket(sequence: 9)) { try sender.protectRTP($0, length: $1) }
        XCTAssertEqual(first, again, "same packet, same index: same ciphertext")
    }

    func testKeysFromHandshakeWorkEndToEnd() throws {
        let pair = try DTLSPair()
        pair.handshake()
        let clientSession = try SRTPSession(keyingMaterial: try XCTUnwrap(pair.clientEvents.connected.first))
        let serverSession = try SRTPSession(keyingMaterial: try XCTUnwrap(pair.serverEvents.connected.first))
        let plain = rtpPacket(sequence: 1234, payload: 1000)
        let protected = try transform(plain) { try clientSession.protectRTP($0, length: $1) }
        XCTAssertEqual(try transform(protected) { try serverSession.unprotectRTP($0, length: $1) }, plain)
        let rtcp = try transform(rtcpPacket()) { try serverSession.protectRTCP($0, length: $1) }
        XCTAssertEqual(try transform(rtcp) { try clientSession.unprotectRTCP($0, length: $1) }, rtcpPacket())
    }

    func testBadKeyLengthsAreRejected() {
        var material = keys(.aes128CmHmacSha1_80)
        material.localMasterSalt = [1, 2, 3]
        XCTAssertThrowsError(try SRTPSession(keyingMaterial: material))
        let session = try? SRTPSession(keyingMaterial: keys(.aeadAes128Gcm))
        var byte: UInt8 = 0
        XCTAssertThrowsError(try session?.unprotectRTP(&byte, length: -1))
    }

    func testGarbageInputThrowsWithoutCrashing() throws {
        var random = SplitMix64(state: 2024)
        for profile in [SRTPProtectionProfile.aes128CmHmacSha1_80, .aeadAes128Gcm] {
            let receiver = try SRTPSession(keyingMaterial: keys(profile))
            for _ in 0..<2000 {
                var junk = random.bytes(Int(random.next() % 200))
                if !junk.isEmpty && random.next() % 2 == 0 { junk[0] = 0x80 }
                XCTAssertThrowsError(try transform(junk) { try receiver.unprotectRTP($0, length: $1) })
                XCTAssertThrowsError(try transform(junk) { try receiver.unprotectRTCP($0, length: $1) })
            }
            // Truncations of a valid packet.
            let protected = try transform(rtpPacket(sequence: 77)) { try receiver.protectRTP($0, length: $1) }
            for cut in 0..<protected.count {
                let other = try SRTPSession(keyingMaterial: keys(profile).mirrored)
                XCTAssertThrowsError(try transform(Array(protected.prefix(cut))) { try other.unprotectRTP($0, length: $1) })
            }
        }
    }

    /// Prints the per-packet cost; never asserts on time.
    func testPrintProtectCost() throws {
        for profile in [SRTPProtectionProfile.aes128CmHmacSha1_80, .aeadAes128Gcm] {
            let result = try SRTPCostProbe.measure(profile: profile, packetSize: 1200, packetCount: 20_000)
            print(String(format: "SRTP %@ 1200-byte RTP: protect %.0f ns/packet, unprotect %.0f ns/packet",
                         "\(profile)", result.protectNanosecondsPerPacket, result.unprotectNanosecondsPerPacket))
            XCTAssertEqual(result.packets, 20_000)
        }
    }
}
