import XCTest
@testable import LoadTest

final class RampSchedulerTests: XCTestCase {
    func testFirstJoinAtOnceThenEvenlySpaced() {
        var ramp = RampScheduler(rate: 10, total: 5)
        XCTAssertEqual(ramp.delayUntilNext(now: 100), 0)
        XCTAssertEqual(ramp.due(now: 100), 1)
        XCTAssertEqual(ramp.due(now: 100.05), 0)
        XCTAssertEqual(ramp.delayUntilNext(now: 100.05)!, 0.05, accuracy: 1e-9)
        XCTAssertEqual(ramp.due(now: 100.1), 1)
        XCTAssertEqual(ramp.due(now: 100.35), 2)
        XCTAssertFalse(ramp.isFinished)
        XCTAssertEqual(ramp.due(now: 105), 1)
        XCTAssertTrue(ramp.isFinished)
        XCTAssertEqual(ramp.due(now: 200), 0)
        XCTAssertNil(ramp.delayUntilNext(now: 200))
    }

    func testLateCallerCatchesUpButNeverExceedsTotal() {
        var ramp = RampScheduler(rate: 100, total: 50)
        XCTAssertEqual(ramp.due(now: 0), 1)
        XCTAssertEqual(ramp.due(now: 10), 49)
        XCTAssertEqual(ramp.started, 50)
    }

    func testRampLength() {
        XCTAssertEqual(RampScheduler(rate: 50, total: 101).rampSeconds, 2, accuracy: 1e-9)
        XCTAssertEqual(RampScheduler(rate: 50, total: 1).rampSeconds, 0)
        var empty = RampScheduler(rate: 50, total: 0)
        XCTAssertEqual(empty.due(now: 0), 0)
        XCTAssertTrue(empty.isFinished)
    }
}
