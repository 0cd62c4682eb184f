import XCTest
@testable import SFU

/// Reliable messages for a channel that is not open yet wait in order, within bounds.
final class PendingDataMessagesTests: XCTestCase {
    func testMessagesWaitInOrderPerLabel() {
        var pending = PendingDataMessages()
        XCTAssertEqual(pending.append([1], label: "_reliable"), 0)
        XCTAssertEqual(pending.append([2], label: "_other"), 0)
        XCTAssertEqual(pending.append([3], label: "_reliable"), 0)
        XCTAssertEqual(pending.take(label: "_reliable"), [[1], [3]])
        XCTAssertEqual(pending.take(label: "_reliable"), [])
        XCTAssertFalse(pending.isEmpty)
        XCTAssertEqual(pending.take(label: "_other"), [[2]])
        XCTAssertTrue(pending.isEmpty)
    }

    func testTheOldestGoPastTheMessageBound() {
        var pending = PendingDataMessages()
        var dropped = 0
        for index in 0..<(PendingDataMessages.maxMessages + 3) {
            dropped += pending.append([UInt8(truncatingIfNeeded: index)], label: "_reliable")
        }
        XCTAssertEqual(dropped, 3)
        let kept = pending.take(label: "_reliable")
        XCTAssertEqual(kept.count, PendingDataMessages.maxMessages)
        XCTAssertEqual(kept.first, [3])
    }

    func testTheByteBoundHolds() {
        var pending = PendingDataMessages()
        let big = [UInt8](repeating: 7, count: PendingDataMessages.maxBytes / 2 + 1)
        XCTAssertEqual(pending.append(big, label: "_reliable"), 0)
        XCTAssertEqual(pending.append(big, label: "_reliable"), 1)
        XCTAssertEqual(pending.take(label: "_reliable").count, 1)
    }
}
