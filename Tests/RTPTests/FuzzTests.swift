import XCTest
@testable import RTP

/// Random, truncated and bit-flipped inputs must throw or return, never crash or hang.
final class FuzzTests: XCTestCase {
    private func exerciseRTP(_ input: [UInt8]) {
        input.withUnsafeBytes { buf in
            guard let h = try? RTPHeader.parse(buf) else { return }
            XCTAssertLessThanOrEqual(h.payloadOffset + h.payloadLength + h.paddingLength, buf.count)
            XCTAssertGreaterThanOrEqual(h.payloadLength, 0)
            h.forEachExtension(in: buf) { _, r in
                XCTAssertTrue(r.lowerBound >= 0 && r.upperBound <= buf.count)
            }
            _ = h.extensionElement(id: 1, in: buf)
            _ = h.csrc(at: 3, in: buf)
            let payload = UnsafeRawBufferPointer(rebasing: buf[h.payloadRange])
            _ = VP8Payload.isKeyframe(payload)
            _ = VP8Payload.pictureID(payload)
            _ = H264Payload.isKeyframe(payload)
            _ = VP9Payload.isKeyframe(payload)
        }
    }

    private func exerciseRTCP(_ input: [UInt8]) {
        input.withUnsafeBytes { buf in
            _ = RTCPCompound.looksLikeRTCP(buf)
            if let packets = try? RTCPCompound.parse(buf) {
                _ = RTCPCompound.serialize(packets)
            }
        }
    }

    func testRandomBytes() {
        var rng = SplitMix64(seed: 0xC0FFEE)
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...96, using: &rng)
            var b = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if n > 0, Bool.random(using: &rng) { b[0] = 0x80 | (b[0] & 0x3F) }  // mostly valid version
            exerciseRTP(b)
            exerciseRTCP(b)
        }
    }

    func testTruncatedAndMutatedValidPackets() {
        let rtp = [
            buildRTPPacket(payloadType: 96, marker: true, sequenceNumber: 1, timestamp: 2, ssrc: 3,
                           extensions: [(1, [1]), (2, [1, 2, 3])], payload: [0x90, 0x80, 0x81, 0x23, 0x00], paddingLength: 3),
            buildRTPPacket(payloadType: 102, marker: false, sequenceNumber: 1, timestamp: 2, ssrc: 3,
                           extensions: [(20, [1, 2]), (1, [])], payload: [0x7C, 0x85, 0x88]),
        ]
        let rtcp = [
            RTCPCompound.serialize([
                .senderReport(SenderReport(ssrc: 1, ntpTimestamp: 2, rtpTimestamp: 3, packetCount: 4, octetCount: 5,
                                           reports: [ReceptionReport(ssrc: 1, fractionLost: 2, cumulativeLost: 3,
                                                                     extendedHighestSequence: 4, jitter: 5, lastSR: 6,
                                                                     delaySinceLastSR: 7)])),
                .sourceDescription([SDESChunk(ssrc: 1, cname: "cname")]),
                .goodbye(Goodbye(ssrcs: [1], reason: "x")),
            ]),
            RTCPCompound.serialize([
                .nack(GenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [1, 5, 40])),
                .fir(FullIntraRequest(senderSSRC: 1, entries: [(ssrc: 2, sequenceNumber: 3)])),
                .remb(REMB(senderSSRC: 1, bitrate: 5_000_000, ssrcs: [1, 2])),
                .transportFeedback(TransportFeedback(senderSSRC: 1, mediaSSRC: 2, baseSequenceNumber: 3, referenceTime: 4,
                                                     feedbackPacketCount: 5,
                                                     packets: [.received(deltaTicks: 1), .notReceived,
                                                               .received(deltaTicks: 1000), .received(deltaTicks: -4)])),
            ]),
        ]
        var rng = SplitMix64(seed: 7)
        for p in rtp {
            XCTAssertNoThrow(try parseRTP(p))
            for len in 0...p.count { exerciseRTP(Array(p.prefix(len))) }
            for _ in 0..<3000 {
                var m = p
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    m[Int.random(in: 0..<m.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
                }
                exerciseRTP(m)
            }
        }
        for p in rtcp {
            XCTAssertNoThrow(try parseRTCP(p))
            for len in 0...p.count { exerciseRTCP(Array(p.prefix(len))) }
            for _ in 0..<3000 {
                var m = p
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    m[Int.random(in: 0..<m.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
                }
                exerciseRTCP(m)
            }
        }
    }

    func testTWCCHugeStatusCountDoesNotHang() {
        // Status count 65535 with a single run-length chunk of 8191 and nothing else: must throw.
        let wire = bytes("8f cd 00 04 00 00 00 01 00 00 00 02 00 00 ff ff 00 00 00 00 1f ff 00 00")
        XCTAssertEqual(rtcpError(wire), .malformed)
    }
}
