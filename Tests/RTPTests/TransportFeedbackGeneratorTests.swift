import XCTest
@testable import RTP

final class TransportFeedbackGeneratorTests: XCTestCase {
    /// Serializes and parses back, asserting the wire form reproduces the value.
    private func roundTrip(_ feedback: [TransportFeedback], file: StaticString = #filePath, line: UInt = #line)
        throws -> [TransportFeedback] {
        var parsed: [TransportFeedback] = []
        for fb in feedback {
            let wire = RTCPCompound.serialize([.transportFeedback(fb)])
            let packets = try parseRTCP(wire)
            guard packets.count == 1, case .transportFeedback(let back) = packets[0] else {
                XCTFail("expected one transport feedback, got \(packets)", file: file, line: line)
                continue
            }
            XCTAssertEqual(back, fb, file: file, line: line)
            parsed.append(back)
        }
        return parsed
    }

    /// Arrival time (seconds) per 16-bit sequence number, and the sequence numbers reported lost.
    private func decode(_ feedback: [TransportFeedback]) -> (arrivals: [UInt16: Double], lost: Set<UInt16>) {
        var arrivals: [UInt16: Double] = [:]
        var lost: Set<UInt16> = []
        for fb in feedback {
            var ticks = Int64(fb.referenceTime) * 256
            for (i, status) in fb.packets.enumerated() {
                let seq = fb.baseSequenceNumber &+ UInt16(truncatingIfNeeded: i)
                switch status {
                case .notReceived: lost.insert(seq)
                case .received(let d):
                    ticks += Int64(d)
                    arrivals[seq] = Double(ticks) / 4000
                }
            }
        }
        return (arrivals, lost)
    }

    func testGapAndReorderReproduceArrivals() throws {
        var gen = TransportFeedbackGenerator(senderSSRC: 0x1111, mediaSSRC: 0x2222)
        var expected: [UInt16: Double] = [:]
        var t = 12.3456
        for seq: UInt16 in 100...120 where seq != 105 && seq != 106 && seq != 110 {
            gen.packetArrived(transportSequenceNumber: seq, arrival: t)
            expected[seq] = t
            t += 0.0051
            if seq == 111 {  // 110 arrives late, after 111
                gen.packetArrived(transportSequenceNumber: 110, arrival: t)
                expected[110] = t
                t += 0.0033
            }
        }
        let fb = try roundTrip(gen.makeFeedback(now: t))
        XCTAssertEqual(fb.count, 1)
        XCTAssertEqual(fb.first?.baseSequenceNumber, 100)
        XCTAssertEqual(fb.first?.packets.count, 21)
        XCTAssertEqual(fb.first?.senderSSRC, 0x1111)
        XCTAssertEqual(fb.first?.mediaSSRC, 0x2222)
        XCTAssertEqual(fb.first?.referenceTime, Int32(12.3456 / 0.064))
        let (arrivals, lost) = decode(fb)
        XCTAssertEqual(lost, [105, 106])
        XCTAssertEqual(Set(arrivals.keys), Set(expected.keys))
        for (seq, time) in expected {
            XCTAssertEqual(arrivals[seq] ?? -1, time, accuracy: 0.000126, "seq \(seq)")
        }
        // 110 arrived after 111: 111's delta (relative to 110, the previous in sequence order) is
        // negative, sent as a large delta.
        if case .received(let d) = fb[0].packets[11] { XCTAssertEqual(d, -20) /* -5.1 ms */ } else { XCTFail("111 missing") }
    }

    func testNothingNewReturnsEmptyAndCountIncrements() throws {
        var gen = TransportFeedbackGenerator(senderSSRC: 1)
        XCTAssertEqual(gen.makeFeedback(now: 0), [])
        gen.packetArrived(transportSequenceNumber: 1, arrival: 1.0)
        gen.packetArrived(transportSequenceNumber: 2, arrival: 1.01)
        let first = gen.makeFeedback(now: 1.05)
        XCTAssertEqual(first.map(\.feedbackPacketCount), [0])
        XCTAssertEqual(gen.makeFeedback(now: 1.1), [])
        // Late arrivals of already reported numbers are ignored.
        gen.packetArrived(transportSequenceNumber: 2, arrival: 1.2)
        gen.packetArrived(transportSequenceNumber: 0, arrival: 1.2)
        XCTAssertEqual(gen.makeFeedback(now: 1.25), [])
        gen.packetArrived(transportSequenceNumber: 5, arrival: 1.3)
        let second = try roundTrip(gen.makeFeedback(now: 1.35))
        XCTAssertEqual(second.map(\.feedbackPacketCount), [1])
        // 3 and 4 never arrived: reported lost, continuing right after the previous feedback.
        XCTAssertEqual(second.first?.baseSequenceNumber, 3)
        XCTAssertEqual(second.first?.packets.first, .notReceived)
        let (arrivals, lost) = decode(second)
        XCTAssertEqual(lost, [3, 4])
        XCTAssertEqual(arrivals[5] ?? -1, 1.3, accuracy: 0.000126)
    }

    func testDuplicateKeepsFirstArrival() {
        var gen = TransportFeedbackGenerator(senderSSRC: 1)
        gen.packetArrived(transportSequenceNumber: 7, arrival: 2.0)
        gen.packetArrived(transportSequenceNumber: 7, arrival: 3.0)
        let (arrivals, _) = decode(gen.makeFeedback(now: 3))
        XCTAssertEqual(arrivals[7] ?? -1, 2.0, accuracy: 0.000126)
    }

    func testSequenceWrap() throws {
        var gen = TransportFeedbackGenerator(senderSSRC: 1)
        var t = 5.0
        for seq in [65533, 65534, 65535, 1, 0, 2].map({ UInt16($0) }) {
            gen.packetArrived(transportSequenceNumber: seq, arrival: t)
            t += 0.002
        }
        let fb = try roundTrip(gen.makeFeedback(now: t))
        XCTAssertEqual(fb.count, 1)
        XCTAssertEqual(fb[0].baseSequenceNumber, 65533)
        XCTAssertEqual(fb[0].packets.count, 6)
        let (arrivals, lost) = decode(fb)
        XCTAssertTrue(lost.isEmpty)
        XCTAssertEqual(arrivals[0] ?? -1, 5.008, accuracy: 0.000126)
        XCTAssertEqual(arrivals[1] ?? -1, 5.006, accuracy: 0.000126)
    }

    func testLargeSpanSplitsIntoSeveralPackets() throws {
        var gen = TransportFeedbackGenerator(senderSSRC: 9)
        var expected: [UInt16: Double] = [:]
        var t = 100.0
        // 3000 packets with deltas alternating small and large: far over one 1200-byte packet.
        for i in 0..<3000 {
            let seq = UInt16(truncatingIfNeeded: 40000 + i)
            if i % 17 == 3 { continue }  // some losses
            gen.packetArrived(transportSequenceNumber: seq, arrival: t)
            expected[seq] = t
            t += i.isMultiple(of: 2) ? 0.0005 : 0.09
        }
        let fb = try roundTrip(gen.makeFeedback(now: t))
        XCTAssertGreaterThan(fb.count, 2)
        XCTAssertEqual(fb.map(\.feedbackPacketCount), (0..<fb.count).map { UInt8($0) })
        for (i, packet) in fb.enumerated() {
            let size = RTCPCompound.serialize([.transportFeedback(packet)]).count
            XCTAssertLessThanOrEqual(size, 1200)
            if i < fb.count - 1 { XCTAssertGreaterThan(size, 1000, "size estimate too pessimistic") }
        }
        // Consecutive packets tile the span without overlap.
        var nextBase: UInt16 = 40000
        for packet in fb {
            XCTAssertEqual(packet.baseSequenceNumber, nextBase)
            nextBase = packet.baseSequenceNumber &+ UInt16(packet.packets.count)
        }
        XCTAssertEqual(nextBase, UInt16(truncatingIfNeeded: 40000 + 3000))
        let (arrivals, lost) = decode(fb)
        XCTAssertEqual(Set(arrivals.keys), Set(expected.keys))
        XCTAssertEqual(lost.count, 3000 - expected.count)
        for (seq, time) in expected {
            XCTAssertEqual(arrivals[seq] ?? -1, time, accuracy: 0.000126, "seq \(seq)")
        }
    }

    func testDeltaOverflowStartsNewPacket() throws {
        var gen = TransportFeedbackGenerator(senderSSRC: 1)
        gen.packetArrived(transportSequenceNumber: 10, arrival: 1.0)
        gen.packetArrived(transportSequenceNumber: 11, arrival: 1.02)
        gen.packetArrived(transportSequenceNumber: 13, arrival: 11.0)  // +9.98 s > 8.19 s max delta
        gen.packetArrived(transportSequenceNumber: 14, arrival: 11.001)
        let fb = try roundTrip(gen.makeFeedback(now: 12))
        XCTAssertEqual(fb.count, 2)
        XCTAssertEqual(fb.map(\.feedbackPacketCount), [0, 1])
        XCTAssertEqual(fb[1].baseSequenceNumber, 13)
        XCTAssertEqual(fb[1].referenceTime, Int32(11.0 / 0.064))
        let (arrivals, lost) = decode(fb)
        XCTAssertEqual(lost, [12])
        XCTAssertEqual(arrivals[13] ?? -1, 11.0, accuracy: 0.000126)
        XCTAssertEqual(arrivals[14] ?? -1, 11.001, accuracy: 0.000126)
        XCTAssertEqual(arrivals[11] ?? -1, 1.02, accuracy: 0.000126)
    }

    func testReferenceTimeWrapsAt24Bits() throws {
        var gen = TransportFeedbackGenerator(senderSSRC: 1)
        let t = 1_700_000_000.0  // Unix-epoch arrival times: 64 ms units exceed 24 bits
        gen.packetArrived(transportSequenceNumber: 1, arrival: t)
        let fb = try roundTrip(gen.makeFeedback(now: t))
        XCTAssertEqual(fb.count, 1)
        XCTAssertTrue((-(1 << 23)..<(1 << 23)).contains(Int(fb[0].referenceTime)))
    }

    func testFuzzedArrivalsRoundTrip() throws {
        var rng = SplitMix64(seed: 0x7CC)
        var gen = TransportFeedbackGenerator(senderSSRC: 3, mediaSSRC: 4)
        var seq = UInt16.random(in: 0...UInt16.max, using: &rng)
        var t = Double.random(in: 0...1000, using: &rng)
        var expectedCount: UInt8 = 0
        for _ in 0..<200 {
            var batch: [UInt16: Double] = [:]
            for _ in 0..<Int.random(in: 0..<300, using: &rng) {
                let jump = Int.random(in: -20...40, using: &rng)
                let s = seq &+ UInt16(bitPattern: Int16(jump))
                if jump > 0 { seq = s }
                t += Double.random(in: 0...0.2, using: &rng) * (Bool.random(using: &rng) ? 1 : 30)
                gen.packetArrived(transportSequenceNumber: s, arrival: t)
                if batch[s] == nil { batch[s] = t }
            }
            if Int.random(in: 0..<10, using: &rng) == 0 {
                gen.packetArrived(transportSequenceNumber: seq, arrival: .nan)
            }
            let fb = try roundTrip(gen.makeFeedback(now: t))
            for packet in fb {
                XCTAssertEqual(packet.feedbackPacketCount, expectedCount)
                expectedCount &+= 1
                XCTAssertLessThanOrEqual(RTCPCompound.serialize([.transportFeedback(packet)]).count, 1200)
            }
            // Every reported arrival matches a recorded one (late ones may be dropped).
            let (arrivals, _) = decode(fb)
            for (s, time) in arrivals {
                guard let recorded = batch[s] else { XCTFail("unrecorded seq \(s)"); continue }
                XCTAssertEqual(time, recorded, accuracy: 0.000126)
            }
        }
    }
}
