import XCTest
@testable import RTP

final class SequenceAndStatisticsTests: XCTestCase {
    func testIsNewer() {
        XCTAssertTrue(isNewer(1, than: 0))
        XCTAssertTrue(isNewer(0, than: 65535))
        XCTAssertFalse(isNewer(65535, than: 0))
        XCTAssertFalse(isNewer(5, than: 5))
        XCTAssertTrue(isNewer(0x7FFF, than: 0))
        // Exactly half apart: exactly one direction holds.
        XCTAssertNotEqual(isNewer(0x8000, than: 0), isNewer(0, than: 0x8000))
        XCTAssertTrue(isNewerTimestamp(5, than: 0xFFFF_FFF0))
        XCTAssertFalse(isNewerTimestamp(0xFFFF_FFF0, than: 5))
    }

    func testSequenceUnwrapperAcrossWrap() {
        var u = SequenceUnwrapper()
        XCTAssertEqual([65534, 65535, 0, 1].map { u.unwrap($0) }, [65534, 65535, 65536, 65537])
        var r = SequenceUnwrapper()
        XCTAssertEqual([65535, 1, 0, 65534, 2].map { r.unwrap($0) }, [65535, 65537, 65536, 65534, 65538])
        // Many cycles.
        var c = SequenceUnwrapper()
        var last: Int64 = 0
        for i in 0..<300_000 { last = c.unwrap(UInt16(truncatingIfNeeded: i)) }
        XCTAssertEqual(last, 299_999)
    }

    func testTimestampUnwrapper() {
        var u = TimestampUnwrapper()
        XCTAssertEqual(u.unwrap(0xFFFF_FF00), 0xFFFF_FF00)
        XCTAssertEqual(u.unwrap(0x0000_0100), 0x1_0000_0100)
        XCTAssertEqual(u.unwrap(0xFFFF_FFFF), 0xFFFF_FFFF)  // reordered back across the wrap
    }

    func testNTPTime() {
        XCTAssertEqual(NTPTime.fromUnix(seconds: 0), 2_208_988_800 << 32)
        XCTAssertEqual(NTPTime.fromUnix(seconds: 1.5), (2_208_988_801 << 32) | 0x8000_0000)
        XCTAssertEqual(NTPTime.compact(0x1122_3344_5566_7788), 0x3344_5566)
        XCTAssertEqual(NTPTime.fromUnix(seconds: .nan), 0)
        XCTAssertEqual(NTPTime.compactDuration(seconds: 1.5), 0x0001_8000)
        XCTAssertEqual(NTPTime.toUnix(NTPTime.fromUnix(seconds: 1_700_000_000.25)), 1_700_000_000.25, accuracy: 1e-6)
    }

    func testReceiveStatisticsLossAndFraction() {
        var s = ReceiveStatistics(clockRate: 90000)
        // 100 packets, every 10th lost (10 lost), perfectly paced: no jitter.
        for i in 0..<100 where i % 10 != 5 {
            s.packetReceived(sequenceNumber: UInt16(i), rtpTimestamp: UInt32(i * 1800), arrivalSeconds: Double(i) * 0.02)
        }
        XCTAssertEqual(s.packetsReceived, 90)
        XCTAssertEqual(s.cumulativeLost, 10)
        XCTAssertEqual(s.jitter, 0, accuracy: 1e-6)
        let r1 = s.makeReport(ssrc: 77, lastSR: 0x1234, delaySinceLastSR: 0x10)
        XCTAssertEqual(r1.ssrc, 77)
        XCTAssertEqual(r1.fractionLost, 25)  // 10 * 256 / 100
        XCTAssertEqual(r1.cumulativeLost, 10)
        XCTAssertEqual(r1.extendedHighestSequence, 99)
        XCTAssertEqual(r1.lastSR, 0x1234)
        XCTAssertEqual(r1.delaySinceLastSR, 0x10)
        // Next interval without loss.
        for i in 100..<150 {
            s.packetReceived(sequenceNumber: UInt16(i), rtpTimestamp: UInt32(i * 1800), arrivalSeconds: Double(i) * 0.02)
        }
        let r2 = s.makeReport(ssrc: 77, lastSR: 0, delaySinceLastSR: 0)
        XCTAssertEqual(r2.fractionLost, 0)
        XCTAssertEqual(r2.cumulativeLost, 10)
        XCTAssertEqual(r2.extendedHighestSequence, 149)
    }

    func testReceiveStatisticsWrapAndReorder() {
        var s = ReceiveStatistics(clockRate: 48000)
        let seqs: [UInt16] = [65530, 65531, 65533, 65532, 65534, 0, 1, 3, 4]  // lost: 65535, 2; 65532 reordered
        for (i, seq) in seqs.enumerated() {
            s.packetReceived(sequenceNumber: seq, rtpTimestamp: UInt32(i * 960), arrivalSeconds: Double(i) * 0.02)
        }
        let r = s.makeReport(ssrc: 1, lastSR: 0, delaySinceLastSR: 0)
        XCTAssertEqual(r.extendedHighestSequence, 0x1_0004)
        XCTAssertEqual(r.cumulativeLost, 2)
        XCTAssertEqual(s.cumulativeLost, 2)
        XCTAssertEqual(r.fractionLost, UInt8(2 * 256 / 11))
    }

    func testReceiveStatisticsJitter() {
        var s = ReceiveStatistics(clockRate: 90000)
        // Arrivals alternate 5 ms early/late around a 20 ms cadence: |D| = 10 ms = 900 ticks each step.
        for i in 0..<400 {
            let wobble = i % 2 == 0 ? 0.005 : -0.005
            s.packetReceived(sequenceNumber: UInt16(i), rtpTimestamp: UInt32(i * 1800),
                             arrivalSeconds: Double(i) * 0.02 + wobble)
        }
        XCTAssertEqual(s.jitter, 900, accuracy: 1)
        XCTAssertEqual(s.makeReport(ssrc: 1, lastSR: 0, delaySinceLastSR: 0).jitter, 900, accuracy: 1)
    }

    func testEmptyStatistics() {
        var s = ReceiveStatistics(clockRate: 8000)
        let r = s.makeReport(ssrc: 3, lastSR: 1, delaySinceLastSR: 2)
        XCTAssertEqual(r, ReceptionReport(ssrc: 3, fractionLost: 0, cumulativeLost: 0, extendedHighestSequence: 0,
                                          jitter: 0, lastSR: 1, delaySinceLastSR: 2))
    }
}
