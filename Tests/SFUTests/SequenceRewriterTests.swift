import XCTest
@testable import SFU

final class SequenceRewriterTests: XCTestCase {
    func testFirstSourceStartsAtInitialValues() {
        var rewriter = SequenceRewriter(clockRate: 90000, initialSequence: 1000, initialTimestamp: 5000)
        let first = rewriter.rewrite(ssrc: 1, sequenceNumber: 40000, timestamp: 123_456, now: 0)
        XCTAssertEqual(first, .init(sequenceNumber: 1000, timestamp: 5000))
        let next = rewriter.rewrite(ssrc: 1, sequenceNumber: 40001, timestamp: 123_456 + 3000, now: 0.033)
        XCTAssertEqual(next, .init(sequenceNumber: 1001, timestamp: 8000))
    }

    func testWrapAroundStaysContinuous() {
        var rewriter = SequenceRewriter(clockRate: 48000, initialSequence: 65534, initialTimestamp: UInt32.max - 500)
        var out: [UInt16] = []
        for i in 0..<5 {
            out.append(rewriter.rewrite(ssrc: 9, sequenceNumber: UInt16(100 + i), timestamp: UInt32(960 * i), now: Double(i) * 0.02)!.sequenceNumber)
        }
        XCTAssertEqual(out, [65534, 65535, 0, 1, 2])
    }

    func testNewSourceContinuesWithoutGapOrJump() {
        var rewriter = SequenceRewriter(clockRate: 90000, initialSequence: 10, initialTimestamp: 0)
        for i in 0..<10 {
            _ = rewriter.rewrite(ssrc: 1, sequenceNumber: UInt16(500 + i), timestamp: UInt32(3000 * i), now: Double(i) / 30)
        }
        XCTAssertEqual(rewriter.lastSequenceNumber, 19)
        let lastTimestamp = rewriter.lastTimestamp
        // The publisher re-publishes with a new SSRC and unrelated numbering, 0.5 s later.
        let switched = rewriter.rewrite(ssrc: 2, sequenceNumber: 7, timestamp: 999_999, now: 9.0 / 30 + 0.5)!
        XCTAssertEqual(switched.sequenceNumber, 20, "no gap")
        let advance = switched.timestamp &- lastTimestamp
        XCTAssertEqual(Double(advance), 0.5 * 90000, accuracy: 1, "clock advances by wall time, no jump")
        let after = rewriter.rewrite(ssrc: 2, sequenceNumber: 8, timestamp: 999_999 + 3000, now: 1)!
        XCTAssertEqual(after.sequenceNumber, 21)
        XCTAssertEqual(after.timestamp, switched.timestamp &+ 3000)
    }

    func testReorderedPacketKeepsItsPlace() {
        var rewriter = SequenceRewriter(clockRate: 90000, initialSequence: 100, initialTimestamp: 0)
        _ = rewriter.rewrite(ssrc: 1, sequenceNumber: 10, timestamp: 0, now: 0)
        _ = rewriter.rewrite(ssrc: 1, sequenceNumber: 12, timestamp: 0, now: 0)
        let late = rewriter.rewrite(ssrc: 1, sequenceNumber: 11, timestamp: 0, now: 0)
        XCTAssertEqual(late?.sequenceNumber, 101)
        XCTAssertEqual(rewriter.lastSequenceNumber, 102, "a late packet does not move the high-water mark")
        XCTAssertNil(rewriter.rewrite(ssrc: 1, sequenceNumber: 9, timestamp: 0, now: 0), "before the source started for us")
    }

    func testSkipClosesTheHole() {
        var rewriter = SequenceRewriter(clockRate: 90000, initialSequence: 0, initialTimestamp: 0)
        _ = rewriter.rewrite(ssrc: 1, sequenceNumber: 10, timestamp: 0, now: 0)
        rewriter.skip(sequenceNumber: 11)
        XCTAssertEqual(rewriter.rewrite(ssrc: 1, sequenceNumber: 12, timestamp: 0, now: 0)?.sequenceNumber, 1)
    }
}
