import XCTest
@testable import Redis

final class RedisReplyQueueTests: XCTestCase {
    private func delivered(_ delivery: RedisReplyQueue<String>.Delivery) -> String {
        switch delivery {
        case .waiter(let waiter): return waiter
        case .abandoned: return "abandoned"
        case .unexpected: return "unexpected"
        }
    }

    func testRepliesGoToCommandsInOrder() {
        var queue = RedisReplyQueue<String>()
        for (id, name) in ["a", "b", "c"].enumerated() { queue.append(id: UInt64(id), waiter: name) }
        XCTAssertEqual(queue.count, 3)
        XCTAssertEqual(delivered(queue.popReply()), "a")
        XCTAssertEqual(delivered(queue.popReply()), "b")
        XCTAssertEqual(delivered(queue.popReply()), "c")
        XCTAssertEqual(delivered(queue.popReply()), "unexpected")
        XCTAssertTrue(queue.isEmpty)
    }

    /// A timed-out command keeps its place: its late reply is dropped, not given to the next one.
    func testTimedOutCommandKeepsItsPlace() {
        var queue = RedisReplyQueue<String>()
        queue.append(id: 1, waiter: "slow")
        queue.append(id: 2, waiter: "next")
        XCTAssertEqual(queue.abandon(id: 1), "slow")
        XCTAssertNil(queue.abandon(id: 1), "a second timeout is a no-op")
        XCTAssertNil(queue.abandon(id: 9), "unknown id")
        XCTAssertEqual(queue.abandonedCount, 1)
        XCTAssertEqual(delivered(queue.popReply()), "abandoned")
        XCTAssertEqual(queue.abandonedCount, 0)
        XCTAssertEqual(delivered(queue.popReply()), "next")
    }

    func testAnsweredCommandCannotTimeOut() {
        var queue = RedisReplyQueue<String>()
        queue.append(id: 1, waiter: "a")
        _ = queue.popReply()
        XCTAssertNil(queue.abandon(id: 1))
    }

    func testRemoveAllReturnsOnlyLiveWaiters() {
        var queue = RedisReplyQueue<String>()
        queue.append(id: 1, waiter: "a")
        queue.append(id: 2, waiter: "b")
        queue.append(id: 3, waiter: "c")
        _ = queue.abandon(id: 2)
        XCTAssertEqual(queue.removeAll(), ["a", "c"])
        XCTAssertTrue(queue.isEmpty)
        XCTAssertEqual(queue.abandonedCount, 0)
    }
}
