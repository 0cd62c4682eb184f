import XCTest
@testable import Webhooks

final class OutboxStateTests: XCTestCase {
    let a = "http://a/hook"
    let b = "http://b/hook"

    func event(_ id: String, room: String, urls: [String]? = nil) -> OutboxEvent {
        OutboxEvent(id: id, room: room, event: "participant_joined", body: Array(id.utf8), urls: urls ?? [a, b])
    }

    func testLanesDeliverInEnqueueOrderPerRoomAndURL() {
        var state = OutboxState(configuredURLs: [a, b])
        state.apply(.enqueue(event("1", room: "r1")))
        state.apply(.enqueue(event("2", room: "r2")))
        state.apply(.enqueue(event("3", room: "r1")))
        XCTAssertEqual(state.pendingCount, 6)
        XCTAssertEqual(Set(state.activeLanes), [OutboxLane(url: a, room: "r1"), OutboxLane(url: a, room: "r2"),
                                                OutboxLane(url: b, room: "r1"), OutboxLane(url: b, room: "r2")])
        XCTAssertEqual(state.head(of: OutboxLane(url: a, room: "r1"))?.id, "1")
        XCTAssertTrue(state.markDelivered(id: "1", url: a))
        XCTAssertEqual(state.head(of: OutboxLane(url: a, room: "r1"))?.id, "3")
        // URL b's lane for r1 is independent of URL a's.
        XCTAssertEqual(state.head(of: OutboxLane(url: b, room: "r1"))?.id, "1")
        XCTAssertEqual(state.pendingCount, 5)
        XCTAssertTrue(state.contains(id: "1"))
        XCTAssertTrue(state.markDelivered(id: "1", url: b))
        XCTAssertFalse(state.contains(id: "1"))
        XCTAssertFalse(state.markDelivered(id: "1", url: b), "a second delivery record changes nothing")
        XCTAssertEqual(state.pendingCount, 4)
    }

    func testDuplicateIDAndUnconfiguredURLsAreIgnored() {
        var state = OutboxState(configuredURLs: [a])
        XCTAssertTrue(state.apply(.enqueue(event("1", room: "r"))))
        XCTAssertFalse(state.apply(.enqueue(event("1", room: "r"))))
        XCTAssertFalse(state.apply(.enqueue(event("2", room: "r", urls: [b]))))
        XCTAssertEqual(state.pendingCount, 1)
        XCTAssertEqual(state.head(of: OutboxLane(url: a, room: "r"))?.urls, [a])
    }

    func testCompactedRecordsRebuildTheSameState() {
        var state = OutboxState(configuredURLs: [a, b])
        for i in 0..<6 { state.apply(.enqueue(event("E\(i)", room: i % 2 == 0 ? "even" : "odd"))) }
        state.markDelivered(id: "E0", url: a)
        state.markDelivered(id: "E0", url: b)
        state.markDelivered(id: "E1", url: b)
        state.markDelivered(id: "E2", url: a)
        let records = state.compactedRecords()
        XCTAssertEqual(records.map { record -> String in
            if case .enqueue(let e) = record { return e.id + ":" + e.urls.joined(separator: ",") }
            return "?"
        }, ["E1:\(a)", "E2:\(b)", "E3:\(a),\(b)", "E4:\(a),\(b)", "E5:\(a),\(b)"])
        var rebuilt = OutboxState(configuredURLs: [a, b])
        for record in records { rebuilt.apply(record) }
        XCTAssertEqual(rebuilt.pendingCount, state.pendingCount)
        for lane in state.activeLanes {
            XCTAssertEqual(rebuilt.head(of: lane)?.id, state.head(of: lane)?.id)
        }
        XCTAssertEqual(rebuilt.compactedRecords(), records)
    }

    func testEverythingDeliveredCompactsToNothing() {
        var state = OutboxState(configuredURLs: [a])
        state.apply(.enqueue(event("1", room: "r")))
        state.apply(.delivered(id: "1", url: a))
        XCTAssertEqual(state.pendingCount, 0)
        XCTAssertTrue(state.activeLanes.isEmpty)
        XCTAssertEqual(state.compactedRecords(), [])
    }

    func testBackoffDoublesToMaximumWithSmallJitter() {
        let backoff = RetryBackoff(initial: 0.5, maximum: 30)
        XCTAssertEqual(backoff.delay(afterFailures: 1, jitter: 0), 0.5)
        XCTAssertEqual(backoff.delay(afterFailures: 2, jitter: 0), 1)
        XCTAssertEqual(backoff.delay(afterFailures: 3, jitter: 0), 2)
        XCTAssertEqual(backoff.delay(afterFailures: 7, jitter: 0), 30)
        XCTAssertEqual(backoff.delay(afterFailures: 10_000, jitter: 0), 30)
        XCTAssertEqual(backoff.delay(afterFailures: 1, jitter: 0.999), 0.5 * 1.0999, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(backoff.delay(afterFailures: 100, jitter: 5), 33.0 + 1e-9)
        XCTAssertGreaterThan(RetryBackoff(initial: 0, maximum: 0).delay(afterFailures: 0, jitter: 0), 0)
    }
}
