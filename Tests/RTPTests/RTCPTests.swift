import XCTest
@testable import RTP

final class RTCPTests: XCTestCase {
    let report = ReceptionReport(ssrc: 0x0A0B_0C0D, fractionLost: 0x40, cumulativeLost: -2,
                                 extendedHighestSequence: 0x0001_0203, jitter: 0x11,
                                 lastSR: 0x2233_4455, delaySinceLastSR: 0x0001_0000)

    private func assertRoundTrip(_ packet: RTCPPacket, file: StaticString = #filePath, line: UInt = #line) throws {
        let wire = RTCPCompound.serialize([packet])
        XCTAssertEqual(wire.count % 4, 0, file: file, line: line)
        XCTAssertEqual(try parseRTCP(wire), [packet], file: file, line: line)
    }

    // MARK: byte-exact vectors

    func testReceiverReportVector() throws {
        let rr = RTCPPacket.receiverReport(ReceiverReport(ssrc: 0x0102_0304, reports: [report]))
        let wire = RTCPCompound.serialize([rr])
        XCTAssertEqual(hex(wire), "81c90007" + "01020304" + "0a0b0c0d" + "40fffffe" + "00010203" + "00000011"
                       + "22334455" + "00010000")
        XCTAssertEqual(try parseRTCP(wire), [rr])
    }

    func testNACKVectorPacksPIDAndBLP() throws {
        let nack = GenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [1, 2, 3, 20])
        let wire = RTCPCompound.serialize([.nack(nack)])
        // PID 1, BLP 0b11 (2, 3); PID 20, BLP 0.
        XCTAssertEqual(hex(wire), "81cd0004" + "00000001" + "00000002" + "00010003" + "00140000")
        XCTAssertEqual(try parseRTCP(wire), [.nack(nack)])
    }

    func testNACKVectorAcrossWrap() throws {
        let nack = GenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [65535, 0, 1])
        let wire = RTCPCompound.serialize([.nack(nack)])
        XCTAssertEqual(hex(wire), "81cd0003" + "00000001" + "00000002" + "ffff0003")
        XCTAssertEqual(try parseRTCP(wire), [.nack(nack)])
    }

    func testNACKFullBLPAndNextPair() throws {
        let lost = (UInt16(100)...117).map { $0 }  // 100 + 16 following, then 117 starts a new pair
        let nack = GenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: lost)
        XCTAssertEqual(nack.packedPairs.map { $0.pid }, [100, 117])
        XCTAssertEqual(nack.packedPairs.map { $0.blp }, [0xFFFF, 0])
        try assertRoundTrip(.nack(nack))
    }

    func testREMBVector() throws {
        let remb = REMB(senderSSRC: 5, bitrate: 1_000_000, ssrcs: [0x1122_3344])
        let wire = RTCPCompound.serialize([.remb(remb)])
        // exp 2, mantissa 250000: 2 << 18 | 250000 = 0x0BD090.
        XCTAssertEqual(hex(wire), "8fce0005" + "00000005" + "00000000" + "52454d42" + "010bd090" + "11223344")
        XCTAssertEqual(try parseRTCP(wire), [.remb(remb)])
    }

    func testREMBEncodingRoundsDown() throws {
        XCTAssertEqual(REMB.encode(bitrate: 262_143).exponent, 0)
        XCTAssertEqual(REMB.encode(bitrate: 262_144).exponent, 1)
        let (e, m) = REMB.encode(bitrate: 123_456_789)
        XCTAssertLessThan(m, 1 << 18)
        let decoded = UInt64(m) << UInt64(e)
        XCTAssertLessThanOrEqual(decoded, 123_456_789)
        XCTAssertGreaterThan(decoded, 123_456_789 - (1 << UInt64(e)))
        let wire = RTCPCompound.serialize([.remb(REMB(senderSSRC: 1, bitrate: 123_456_789, ssrcs: []))])
        XCTAssertEqual(try parseRTCP(wire), [.remb(REMB(senderSSRC: 1, bitrate: decoded, ssrcs: []))])
    }

    func testTransportFeedbackVector() throws {
        let fb = TransportFeedback(senderSSRC: 1, mediaSSRC: 2, baseSequenceNumber: 100, referenceTime: 1,
                                   feedbackPacketCount: 7,
                                   packets: [.received(deltaTicks: 4), .received(deltaTicks: 1), .notReceived,
                                             .received(deltaTicks: -3)])
        let wire = RTCPCompound.serialize([.transportFeedback(fb)])
        // Two-bit status vector 11 01 01 00 10 00 00 00 = 0xD480; deltas 04 01 fffd; 2 bytes of padding (P bit).
        XCTAssertEqual(hex(wire), "afcd0006" + "00000001" + "00000002" + "00640004" + "00000107" + "d4800401"
                       + "fffd0002")
        XCTAssertEqual(try parseRTCP(wire), [.transportFeedback(fb)])
    }

    func testTransportFeedbackParsesRunLengthAndOneBitChunks() throws {
        // Status count 17: run-length chunk (symbol 01, run 3), then one-bit vector 1 0 1 0...
        // (14 symbols, 14 used: received, lost, received, then 11 lost). Deltas 01 02 03, 0a, 0b.
        let wire = bytes("8f cd 00 07 00 00 00 01 00 00 00 02 00 0a 00 11 ff ff ff 03 20 03 a8 00 01 02 03 0a 0b 00 00 00")
        let packets = try parseRTCP(wire)
        guard case .transportFeedback(let fb)? = packets.first else { return XCTFail("not TWCC: \(packets)") }
        XCTAssertEqual(fb.baseSequenceNumber, 10)
        XCTAssertEqual(fb.referenceTime, -1)
        XCTAssertEqual(fb.feedbackPacketCount, 3)
        XCTAssertEqual(fb.packets.count, 17)
        XCTAssertEqual(Array(fb.packets[0..<6]), [.received(deltaTicks: 1), .received(deltaTicks: 2), .received(deltaTicks: 3),
                                                  .received(deltaTicks: 10), .notReceived, .received(deltaTicks: 11)])
        XCTAssertEqual(fb.packets[6...].filter { $0 != .notReceived }.count, 0)
    }

    // MARK: round trips

    func testRoundTripEveryType() throws {
        let all: [RTCPPacket] = [
            .senderReport(SenderReport(ssrc: 9, ntpTimestamp: 0xE000_0000_8000_0000, rtpTimestamp: 123, packetCount: 4,
                                       octetCount: 5000, reports: [report, report])),
            .senderReport(SenderReport(ssrc: 9, ntpTimestamp: 1, rtpTimestamp: 2, packetCount: 3, octetCount: 4)),
            .receiverReport(ReceiverReport(ssrc: 1, reports: [])),
            .sourceDescription([SDESChunk(ssrc: 1, cname: "abcd"),
                                SDESChunk(ssrc: 2, cname: "x", items: [SDESItem(type: 6, value: Array("tool".utf8))]),
                                SDESChunk(ssrc: 3, cname: nil)]),
            .goodbye(Goodbye(ssrcs: [1, 2], reason: "bye now")),
            .goodbye(Goodbye(ssrcs: [3], reason: nil)),
            .nack(GenericNACK(senderSSRC: 1, mediaSSRC: 2, lostSequenceNumbers: [10, 12, 40, 65530, 65535, 3])),
            .pli(PictureLossIndication(senderSSRC: 3, mediaSSRC: 4)),
            .fir(FullIntraRequest(senderSSRC: 5, entries: [(ssrc: 6, sequenceNumber: 7), (ssrc: 8, sequenceNumber: 255)])),
            .remb(REMB(senderSSRC: 1, bitrate: 2_500_000, ssrcs: [1, 2, 3])),
            .transportFeedback(TransportFeedback(senderSSRC: 1, mediaSSRC: 2, baseSequenceNumber: 65530, referenceTime: -5,
                                                 feedbackPacketCount: 255, packets: [])),
            .unknown(packetType: 204, format: 3, body: [0, 0, 0, 1, 0x6E, 0x61, 0x6D, 0x65]),
            .unknown(packetType: 206, format: 15, body: [0, 0, 0, 1, 0, 0, 0, 0, 0x41, 0x42, 0x43, 0x44]),
        ]
        for p in all { try assertRoundTrip(p) }
    }

    func testSDESWireFormat() throws {
        let wire = RTCPCompound.serialize([.sourceDescription([SDESChunk(ssrc: 0x1234_5678, cname: "ab")])])
        // chunk: ssrc, CNAME(1) len 2 "ab", null terminator, padded to 4 bytes.
        XCTAssertEqual(hex(wire), "81ca0003" + "12345678" + "01026162" + "00000000")
        XCTAssertEqual(wire.count, 16)
        XCTAssertEqual(Array(wire[8..<16]), [1, 2, 0x61, 0x62, 0, 0, 0, 0])
    }

    func testTransportFeedbackRoundTripMixed() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let count = Int.random(in: 0...300, using: &rng)
            var packets: [TransportFeedbackPacketStatus] = []
            var mode = 0
            for _ in 0..<count {
                if Int.random(in: 0..<10, using: &rng) == 0 { mode = Int.random(in: 0..<4, using: &rng) }
                switch mode {
                case 0: packets.append(.notReceived)
                case 1: packets.append(.received(deltaTicks: Int32.random(in: 0...255, using: &rng)))
                case 2: packets.append(.received(deltaTicks: Int32.random(in: -32768...32767, using: &rng)))
                default: packets.append(Bool.random(using: &rng) ? .notReceived : .received(deltaTicks: 3))
                }
            }
            let fb = TransportFeedback(senderSSRC: 1, mediaSSRC: 2, baseSequenceNumber: UInt16.random(in: 0...65535, using: &rng),
                                       referenceTime: Int32.random(in: -0x80_0000...0x7F_FFFF, using: &rng),
                                       feedbackPacketCount: 1, packets: packets)
            try assertRoundTrip(.transportFeedback(fb))
        }
    }

    func testTransportFeedbackLongRunUsesRunLength() throws {
        let fb = TransportFeedback(senderSSRC: 1, mediaSSRC: 2, baseSequenceNumber: 0, referenceTime: 0, feedbackPacketCount: 0,
                                   packets: Array(repeating: .notReceived, count: 10000) + [.received(deltaTicks: 1)])
        let wire = RTCPCompound.serialize([.transportFeedback(fb)])
        XCTAssertLessThanOrEqual(wire.count, 32)
        XCTAssertEqual(try parseRTCP(wire), [.transportFeedback(fb)])
    }

    func testCompoundPacket() throws {
        let packets: [RTCPPacket] = [
            .receiverReport(ReceiverReport(ssrc: 1, reports: [report])),
            .sourceDescription([SDESChunk(ssrc: 1, cname: "participant")]),
            .pli(PictureLossIndication(senderSSRC: 1, mediaSSRC: 2)),
            .remb(REMB(senderSSRC: 1, bitrate: 300_000, ssrcs: [2])),
            .goodbye(Goodbye(ssrcs: [1])),
        ]
        let wire = RTCPCompound.serialize(packets)
        XCTAssertEqual(try parseRTCP(wire), packets)
        wire.withUnsafeBytes { XCTAssertTrue(RTCPCompound.looksLikeRTCP($0)) }
    }

    func testLooksLikeRTCP() {
        [UInt8]([0x80, 200]).withUnsafeBytes { XCTAssertTrue(RTCPCompound.looksLikeRTCP($0)) }
        [UInt8]([0x80, 223]).withUnsafeBytes { XCTAssertTrue(RTCPCompound.looksLikeRTCP($0)) }
        [UInt8]([0x80, 96]).withUnsafeBytes { XCTAssertFalse(RTCPCompound.looksLikeRTCP($0)) }
        [UInt8]([0x80, 224]).withUnsafeBytes { XCTAssertFalse(RTCPCompound.looksLikeRTCP($0)) }
        [UInt8]([0x80]).withUnsafeBytes { XCTAssertFalse(RTCPCompound.looksLikeRTCP($0)) }
    }

    func testParseErrors() {
        XCTAssertEqual(rtcpError([]), .tooShort)
        XCTAssertEqual(rtcpError([0x81, 0xC9, 0x00]), .tooShort)
        XCTAssertEqual(rtcpError(bytes("41 c9 00 01 00 00 00 01")), .badVersion)
        XCTAssertEqual(rtcpError(bytes("81 c9 00 07 00 00 00 01")), .truncated)
        XCTAssertEqual(rtcpError(bytes("81 c9 00 01 00 00 00 01")), .badLength)  // RC=1 but no block
        XCTAssertEqual(rtcpError(bytes("a0 c9 00 01 00 00 00 09")), .malformed)  // padding larger than body
        XCTAssertEqual(rtcpError(bytes("80 c9 00 01 00 00 00 01 80")), .truncated)  // trailing partial header
        XCTAssertEqual(rtcpError(bytes("81 cd 00 01 00 00 00 01")), .badLength)  // NACK without media SSRC
    }
}
