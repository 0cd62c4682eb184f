import XCTest
@testable import DTLS

/// RFC 3711 §3.3.1 index estimation and §3.3.2 replay lists, without cryptography.
final class SRTPReplayListTests: XCTestCase {
    private var words: UnsafeMutablePointer<UInt64>!

    override func setUp() {
        words = UnsafeMutablePointer<UInt64>.allocate(capacity: SRTPReplayList.wordCount)
    }

    override func tearDown() {
        words.deallocate()
    }

    /// Receives `sequence` the way a receiver does: estimate, check, add if fresh.
    @discardableResult
    private func receive(_ list: inout SRTPReplayList, _ sequence: UInt16) -> (UInt64, SRTPReplayVerdict) {
        let (index, delta) = list.estimate(sequence: sequence)
        let verdict = list.check(delta: delta)
        if verdict == .fresh { list.add(delta: delta) }
        return (index, verdict)
    }

    func testIndexFollowsSequenceAcrossWraps() {
        var list = SRTPReplayList(words: words)
        var sequence: UInt16 = 65_000
        var expected: UInt64 = 65_000
        for _ in 0..<140_000 {
            let (index, verdict) = receive(&list, sequence)
            XCTAssertEqual(verdict, .fresh)
            XCTAssertEqual(index, expected)
            if index != expected { return }
            sequence &+= 1
            expected += 1
        }
        XCTAssertEqual(list.highestIndex >> 16, 3, "ROC counted three wraps")
    }

    func testReorderedPacketsAroundAWrapGetTheRightROC() {
        var list = SRTPReplayList(words: words)
        for sequence in UInt16(65_500)...UInt16(65_535) { receive(&list, sequence) }
        XCTAssertEqual(receive(&list, 3).0, 0x1_0003, "after the wrap: ROC 1")
        XCTAssertEqual(receive(&list, 65_530).1, .replayed)
        let (late, verdict) = receive(&list, 2)
        XCTAssertEqual(late, 0x1_0002)
        XCTAssertEqual(verdict, .fresh)
        // A late packet from before the wrap, never received: ROC 0.
        var gap = SRTPReplayList(words: words)
        receive(&gap, 65_534)
        receive(&gap, 1)
        XCTAssertEqual(gap.highestIndex, 0x1_0001)
        let (beforeWrap, gapVerdict) = receive(&gap, 65_535)
        XCTAssertEqual(beforeWrap, 65_535)
        XCTAssertEqual(gapVerdict, .fresh)
    }

    func testEarlyLowSequenceNeverGuessesNegativeROC() {
        var list = SRTPReplayList(words: words)
        receive(&list, 10)
        // RFC 3711 Appendix A would pick ROC − 1 here; with ROC 0 it stays 0 (as libsrtp).
        let (index, verdict) = receive(&list, 60_000)
        XCTAssertEqual(index, 60_000)
        XCTAssertEqual(verdict, .fresh)
    }

    func testReplayWindowEdges() {
        var list = SRTPReplayList(words: words)
        let window = SRTPReplayList.bitCount
        receive(&list, 5000)
        XCTAssertEqual(receive(&list, 5000).1, .replayed)
        receive(&list, UInt16(5000 + window))
        XCTAssertEqual(receive(&list, 5000).1, .tooOld, "exactly one window behind")
        XCTAssertEqual(receive(&list, UInt16(5001)).1, .fresh, "the oldest index the window holds")
        XCTAssertEqual(receive(&list, UInt16(5001)).1, .replayed)
        // A jump larger than the window clears it.
        receive(&list, UInt16(5000 + 3 * window))
        XCTAssertEqual(receive(&list, UInt16(5000 + 3 * window - 1)).1, .fresh)
        XCTAssertEqual(receive(&list, UInt16(5000 + 3 * window - window + 1)).1, .fresh)
        XCTAssertEqual(receive(&list, UInt16(5000 + 3 * window - window)).1, .tooOld)
    }

    func testShiftKeepsBitsAcrossWords() {
        for step in [1, 63, 64, 65, 127, 200] {
            var copy = SRTPReplayList(words: words)
            receive(&copy, 100)
            receive(&copy, 102)  // 101 missing
            receive(&copy, UInt16(102 + step))
            XCTAssertEqual(receive(&copy, 100).1, .replayed, "step \(step)")
            XCTAssertEqual(receive(&copy, 102).1, .replayed, "step \(step)")
            XCTAssertEqual(receive(&copy, 101).1, .fresh, "step \(step)")
        }
    }

    func testSRTCPReplayList() {
        var list = SRTCPReplayList()
        XCTAssertEqual(list.check(index: 0), .fresh)
        list.add(index: 0)
        XCTAssertEqual(list.check(index: 0), .replayed)
        list.add(index: 100)
        XCTAssertEqual(list.check(index: 50), .fresh, "inside the 128-index window")
        list.add(index: 200)
        XCTAssertEqual(list.windowStart, 73)
        XCTAssertEqual(list.check(index: 72), .tooOld)
        XCTAssertEqual(list.check(index: 100), .replayed)
        XCTAssertEqual(list.check(index: 200), .replayed)
        XCTAssertEqual(list.check(index: 199), .fresh)
        for jump: UInt32 in [1, 63, 64, 65, 127, 128, 1000] {
            var copy = list
            copy.add(index: 200 + jump)
            XCTAssertEqual(copy.check(index: 200 + jump), .replayed, "jump \(jump)")
            if jump > 1 { XCTAssertEqual(copy.check(index: 200 + jump - 1), .fresh, "jump \(jump)") }
            let keeps200 = jump <= 127
            XCTAssertEqual(copy.check(index: 200), keeps200 ? .replayed : .tooOld, "jump \(jump)")
        }
        XCTAssertEqual(list.check(index: 0x7FFF_FFFF), .fresh)
    }
}
