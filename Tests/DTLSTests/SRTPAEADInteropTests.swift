import XCTest
@testable import DTLS

/// Our AEAD_AES_128_GCM transform against libsrtp2's, both ways: the same keys must give the
/// same bytes, each must open what the other sealed, and both receivers must reach the same
/// verdict on the same (replayed, reordered, tampered, truncated) input.
final class SRTPAEADInteropTests: XCTestCase {
    /// Senders with the local keys and receivers with the remote keys, ours and libsrtp's.
    private struct Sessions {
        let oursSender: SRTPSession
        let libsrtpSender: SRTPSession
        let oursReceiver: SRTPSession
        let libsrtpReceiver: SRTPSession

        init(seed: UInt64 = 7) throws {
            let material = srtpTestKeys(seed: seed)
            oursSender = try SRTPSession(keyingMaterial: material)
            libsrtpSender = try SRTPSession(keyingMaterial: material, backend: .libsrtp)
            // The receivers are the peer: its remote keys are our local ones.
            oursReceiver = try SRTPSession(keyingMaterial: material.mirrored)
            libsrtpReceiver = try SRTPSession(keyingMaterial: material.mirrored, backend: .libsrtp)
        }
    }

    /// The result of one unprotect: the plaintext, or libsrtp's status name.
    private enum Outcome: Equatable {
        case opened([UInt8])
        case failed(String)
    }

    private func outcome(_ body: () throws -> [UInt8]) -> Outcome {
        do {
            return .opened(try body())
        } catch let error as DTLSError {
            if case .srtp(let status) = error { return .failed(status) }
            return .failed("\(error)")
        } catch {
            return .failed("untyped \(error)")
        }
    }

    func testBackendsAreTheOnesAskedFor() throws {
        let sessions = try Sessions()
        XCTAssertEqual(sessions.oursSender.backend, .automatic)
        XCTAssertNotNil(sessions.oursSender.sender)
        XCTAssertEqual(sessions.libsrtpSender.backend, .libsrtp)
        let cm = try SRTPSession(keyingMaterial: srtpTestKeys(profile: .aes128CmHmacSha1_80))
        XCTAssertEqual(cm.backend, .libsrtp, "AES_CM_128_HMAC_SHA1_80 stays on libsrtp")
    }

    /// Many packet shapes, across a sequence-number wrap (ROC 0 → 1): ours and libsrtp's seal
    /// to the same bytes, and each side's receiver opens the other's.
    func testRTPMatchesLibsrtpAcrossWrapWithCSRCsAndExtensions() throws {
        let sessions = try Sessions()
        let shapes: [(csrcs: [UInt32], extensionWords: Int, payload: Int)] = [
            ([], 0, 160), ([0xC0C0_0001, 0xC0C0_0002, 0xC0C0_0003], 0, 100), ([], 2, 1200),
            ([0xC0C0_0009], 5, 40), ([], 0, 0), ([], 1, 1), (Array(repeating: 0xDEAD_0000, count: 15), 3, 17),
        ]
        for (shapeIndex, shape) in shapes.enumerated() {
            let ssrc = 0x5000_0000 + UInt32(shapeIndex)
            var sequence: UInt16 = 65_520
            for step in 0..<40 {
                let plain = srtpTestRTPPacket(sequence: sequence, ssrc: ssrc, csrcs: shape.csrcs,
                                              extensionWords: shape.extensionWords, payload: shape.payload,
                                              marker: step % 3 == 0)
                let ours = try srtpApply(plain) { try sessions.oursSender.protectRTP($0, length: $1) }
                let theirs = try srtpApply(plain) { try sessions.libsrtpSender.protectRTP($0, length: $1) }
                XCTAssertEqual(ours, theirs, "shape \(shapeIndex) seq \(sequence)")
                XCTAssertEqual(ours.count, plain.count + 16)
                XCTAssertEqual(try srtpApply(ours) { try sessions.libsrtpReceiver.unprotectRTP($0, length: $1) }, plain)
                XCTAssertEqual(try srtpApply(theirs) { try sessions.oursReceiver.unprotectRTP($0, length: $1) }, plain)
                sequence &+= 1
            }
        }
        XCTAssertEqual(sessions.oursSender.sender?.streamCount, shapes.count)
        XCTAssertEqual(sessions.oursReceiver.receiver?.streamCount, shapes.count)
    }

    /// 70 000 packets from sequence 60 000: through one wrap into ROC 1 and past a second
    /// wrap into ROC 2, ours → libsrtp and libsrtp → ours.
    func testLongRunAcrossTwoWraps() throws {
        let sessions = try Sessions(seed: 99)
        var sequence: UInt16 = 60_000
        for count in 0..<75_000 {
            let plain = srtpTestRTPPacket(sequence: sequence, ssrc: 0xABCD_0001, payload: 24)
            let ours = try srtpApply(plain) { try sessions.oursSender.protectRTP($0, length: $1) }
            let opened = try srtpApply(ours) { try sessions.libsrtpReceiver.unprotectRTP($0, length: $1) }
            let theirs = try srtpApply(plain) { try sessions.libsrtpSender.protectRTP($0, length: $1) }
            let reopened = try srtpApply(theirs) { try sessions.oursReceiver.unprotectRTP($0, length: $1) }
            if ours != theirs || opened != plain || reopened != plain {
                XCTFail("diverged at packet \(count), sequence \(sequence)")
                return
            }
            sequence &+= 1
        }
    }

    /// Reordering and retransmission around a wrap: both senders pick the same ROC for a
    /// late packet, a retransmission reseals identically, and both receivers refuse replays.
    func testReorderingAndRetransmissionAroundWrap() throws {
        let sessions = try Sessions(seed: 3)
        let order: [UInt16] = [65_533, 65_534, 1, 65_535, 0, 2, 65_535, 5, 3, 4, 65_534]
        var delivered: [[UInt8]] = []
        for sequence in order {
            let plain = srtpTestRTPPacket(sequence: sequence, ssrc: 77, payload: 50)
            let ours = try srtpApply(plain) { try sessions.oursSender.protectRTP($0, length: $1) }
            let theirs = try srtpApply(plain) { try sessions.libsrtpSender.protectRTP($0, length: $1) }
            XCTAssertEqual(ours, theirs, "seq \(sequence)")
            let oursOutcome = outcome { try srtpApply(ours) { try sessions.oursReceiver.unprotectRTP($0, length: $1) } }
            let theirsOutcome = outcome { try srtpApply(ours) { try sessions.libsrtpReceiver.unprotectRTP($0, length: $1) } }
            XCTAssertEqual(oursOutcome, theirsOutcome, "seq \(sequence)")
            let repeated = delivered.contains(ours)
            XCTAssertEqual(oursOutcome, repeated ? .failed("replay_fail") : .opened(plain), "seq \(sequence)")
            delivered.append(ours)
        }
    }

    func testRTCPMatchesLibsrtpBothWays() throws {
        let sessions = try Sessions(seed: 11)
        // libsrtp's first SRTCP index is 1, ours 0 (RFC 3711 §3.3.1): align them to compare bytes.
        for ssrc: UInt32 in [0x0A0B_0C0D, 1] {
            try XCTUnwrap(sessions.oursSender.sender).setNextSRTCPIndex(1, ssrc: ssrc)
        }
        for round in 0..<20 {
            let ssrc: UInt32 = round % 4 == 3 ? 1 : 0x0A0B_0C0D
            let plain = round % 2 == 0 ? srtpTestRTCPPacket(ssrc: ssrc) : Array(srtpTestRTCPPacket(ssrc: ssrc).prefix(8))
            let ours = try srtpApply(plain) { try sessions.oursSender.protectRTCP($0, length: $1) }
            let theirs = try srtpApply(plain) { try sessions.libsrtpSender.protectRTCP($0, length: $1) }
            XCTAssertEqual(ours, theirs, "round \(round)")
            XCTAssertEqual(ours.count, plain.count + 16 + 4)
            XCTAssertEqual(try srtpApply(ours) { try sessions.libsrtpReceiver.unprotectRTCP($0, length: $1) }, plain)
            XCTAssertEqual(try srtpApply(theirs) { try sessions.oursReceiver.unprotectRTCP($0, length: $1) }, plain)
            assertSRTPError("replay_fail") { try srtpApply(theirs) { try sessions.oursReceiver.unprotectRTCP($0, length: $1) } }
        }
    }

    func testFreshSessionsInteroperateWithoutAlignment() throws {
        let sessions = try Sessions(seed: 12)
        let plain = srtpTestRTCPPacket()
        for _ in 0..<3 {
            let ours = try srtpApply(plain) { try sessions.oursSender.protectRTCP($0, length: $1) }
            XCTAssertEqual(try srtpApply(ours) { try sessions.libsrtpReceiver.unprotectRTCP($0, length: $1) }, plain)
            let theirs = try srtpApply(plain) { try sessions.libsrtpSender.protectRTCP($0, length: $1) }
            XCTAssertEqual(try srtpApply(theirs) { try sessions.oursReceiver.unprotectRTCP($0, length: $1) }, plain)
        }
    }

    /// Differential: a random schedule of new, late, replayed, tampered and truncated packets
    /// goes to both receivers; they must agree on every one.
    func testReceiversAgreeOnRandomSchedule() throws {
        var random = SplitMix64(state: 2025)
        for round in 0..<4 {
            let sessions = try Sessions(seed: UInt64(100 + round))
            var history: [[UInt8]] = []
            var rtcpHistory: [[UInt8]] = []
            var sequence = UInt16(truncatingIfNeeded: random.next())
            var disagreements = 0
            for step in 0..<3000 {
                let packet: [UInt8]
                var isRTCP = false
                switch random.next() % 10 {
                case 0, 1, 2, 3, 4:
                    sequence &+= UInt16(1 + random.next() % 3)
                    let plain = srtpTestRTPPacket(sequence: sequence, ssrc: 0x100 + UInt32(random.next() % 3),
                                                  csrcs: random.next() % 4 == 0 ? [9, 8] : [],
                                                  extensionWords: Int(random.next() % 3), payload: Int(random.next() % 300))
                    packet = try srtpApply(plain) { try sessions.oursSender.protectRTP($0, length: $1) }
                    history.append(packet)
                case 5:
                    // Replay, or a late first delivery of a packet held back (beyond the window, sometimes).
                    guard !history.isEmpty else { continue }
                    packet = history[Int(random.next() % UInt64(history.count))]
                case 6:
                    guard let last = history.last else { continue }
                    var tampered = last
                    tampered[Int(random.next() % UInt64(tampered.count))] ^= UInt8(1 << (random.next() % 8))
                    packet = tampered
                case 7:
                    guard let last = history.last else { continue }
                    packet = Array(last.prefix(Int(random.next() % UInt64(last.count))))
                case 8:
                    isRTCP = true
                    let plain = srtpTestRTCPPacket(ssrc: 0x200 + UInt32(random.next() % 2))
                    packet = try srtpApply(plain) { try sessions.oursSender.protectRTCP($0, length: $1) }
                    rtcpHistory.append(packet)
                default:
                    isRTCP = true
                    guard !rtcpHistory.isEmpty else { continue }
                    var chosen = rtcpHistory[Int(random.next() % UInt64(rtcpHistory.count))]
                    switch random.next() % 3 {
                    case 0: chosen[Int(random.next() % UInt64(chosen.count))] ^= 0x10
                    case 1: chosen = Array(chosen.prefix(Int(random.next() % UInt64(chosen.count))))
                    default: break
                    }
                    packet = chosen
                }
                let ours: Outcome
                let theirs: Outcome
                if isRTCP {
                    ours = outcome { try srtpApply(packet) { try sessions.oursReceiver.unprotectRTCP($0, length: $1) } }
                    theirs = outcome { try srtpApply(packet) { try sessions.libsrtpReceiver.unprotectRTCP($0, length: $1) } }
                } else {
                    ours = outcome { try srtpApply(packet) { try sessions.oursReceiver.unprotectRTP($0, length: $1) } }
                    theirs = outcome { try srtpApply(packet) { try sessions.libsrtpReceiver.unprotectRTP($0, length: $1) } }
                }
                if ours != theirs {
                    disagreements += 1
                    if disagreements <= 5 {
                        XCTFail("round \(round) step \(step) \(isRTCP ? "RTCP" : "RTP") length \(packet.count): ours \(ours), libsrtp \(theirs)")
                    }
                }
            }
            XCTAssertEqual(disagreements, 0, "round \(round)")
        }
    }

    func testSenderRefusesIndexOlderThanWindowLikeLibsrtp() throws {
        let sessions = try Sessions(seed: 5)
        for sequence: UInt16 in [3000, 3000 + UInt16(SRTPSession.replayWindowSize) + 5] {
            let plain = srtpTestRTPPacket(sequence: sequence, ssrc: 9)
            _ = try srtpApply(plain) { try sessions.oursSender.protectRTP($0, length: $1) }
            _ = try srtpApply(plain) { try sessions.libsrtpSender.protectRTP($0, length: $1) }
        }
        let stale = srtpTestRTPPacket(sequence: 3000, ssrc: 9)
        assertSRTPError("replay_old") { try srtpApply(stale) { try sessions.oursSender.protectRTP($0, length: $1) } }
        assertSRTPError("replay_old") { try srtpApply(stale) { try sessions.libsrtpSender.protectRTP($0, length: $1) } }
    }

    func testTruncatedAndGarbageInputThrowTypedErrors() throws {
        let sessions = try Sessions(seed: 8)
        let rtp = try srtpApply(srtpTestRTPPacket(sequence: 10, csrcs: [1, 2], extensionWords: 2)) {
            try sessions.oursSender.protectRTP($0, length: $1)
        }
        let rtcp = try srtpApply(srtpTestRTCPPacket()) { try sessions.oursSender.protectRTCP($0, length: $1) }
        for cut in 0..<rtp.count {
            assertSRTPError(nil, "RTP cut \(cut)") {
                try srtpApply(Array(rtp.prefix(cut))) { try sessions.oursReceiver.unprotectRTP($0, length: $1) }
            }
        }
        for cut in 0..<rtcp.count {
            assertSRTPError(nil, "RTCP cut \(cut)") {
                try srtpApply(Array(rtcp.prefix(cut))) { try sessions.oursReceiver.unprotectRTCP($0, length: $1) }
            }
        }
        // Headers that claim more than the packet holds.
        let claimsCSRCs: [UInt8] = [0x8F, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 20)
        assertSRTPError("bad_param") { try srtpApply(claimsCSRCs) { try sessions.oursSender.protectRTP($0, length: $1) } }
        assertSRTPError("bad_param") { try srtpApply(claimsCSRCs) { try sessions.oursReceiver.unprotectRTP($0, length: $1) } }
        let claimsExtension: [UInt8] = [0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0xFF, 0xFF, 0, 0]
        assertSRTPError("bad_param") { try srtpApply(claimsExtension) { try sessions.oursSender.protectRTP($0, length: $1) } }
        assertSRTPError("bad_param") { try srtpApply(Array(claimsExtension.prefix(14))) { try sessions.oursSender.protectRTP($0, length: $1) } }
        assertSRTPError("bad_param") { try srtpApply([0x80, 200, 0]) { try sessions.oursSender.protectRTCP($0, length: $1) } }
        assertSRTPError("bad_param") { try srtpApply([0x80, 96, 0]) { try sessions.oursSender.protectRTP($0, length: $1) } }
        var byte: UInt8 = 0
        assertSRTPError("bad length -1") { try sessions.oursReceiver.unprotectRTP(&byte, length: -1) }
        var random = SplitMix64(state: 42)
        for _ in 0..<3000 {
            var junk = random.bytes(Int(random.next() % 300))
            if !junk.isEmpty && random.next() % 2 == 0 { junk[0] = 0x80 | (junk[0] & 0x1F) }
            assertSRTPError(nil) { try srtpApply(junk) { try sessions.oursReceiver.unprotectRTP($0, length: $1) } }
            assertSRTPError(nil) { try srtpApply(junk) { try sessions.oursReceiver.unprotectRTCP($0, length: $1) } }
        }
        XCTAssertEqual(sessions.oursReceiver.receiver?.streamCount, 0, "nothing forged got a stream")
    }
}
