import XCTest
@testable import SFU

/// The media shard's wakeup arithmetic: exact visits for every-tick peers, shared 50 ms slots
/// for the rest, and no wakeup while nothing is due.
final class ShardWakePlanTests: XCTestCase {
    func testEveryTickPeersAreVisitedOnTheNextTick() {
        XCTAssertEqual(ShardWakePlan.nextVisit(after: 7, cadence: 1, reportTick: 100), 8)
    }

    func testLongerCadencesShareTheNextMultipleOfTheQuantum() {
        XCTAssertEqual(ShardWakePlan.nextVisit(after: 7, cadence: 5, reportTick: 100), 15, "12 rounds up to 15")
        XCTAssertEqual(ShardWakePlan.nextVisit(after: 10, cadence: 5, reportTick: 100), 15)
        XCTAssertEqual(ShardWakePlan.nextVisit(after: 3, cadence: 100, reportTick: 101), 105, "the report tick, rounded up")
        // Peers joined at scattered ticks end up in the same slots.
        let visits = Set((0..<50).map { ShardWakePlan.nextVisit(after: Int64($0), cadence: 100, reportTick: Int64($0) + 100) })
        XCTAssertTrue(visits.allSatisfy { $0 % ShardWakePlan.quantum == 0 })
        XCTAssertEqual(visits.count, 11, "50 peers joined over 50 ticks: 11 shared wakeups (ticks 100, 105 … 150)")
    }

    func testAVisitIsNeverDueNowOrInThePast() {
        XCTAssertEqual(ShardWakePlan.nextVisit(after: 20, cadence: 100, reportTick: 3), 25, "an overdue report: the next slot")
        XCTAssertEqual(ShardWakePlan.nextVisit(after: 20, cadence: 1, reportTick: 3), 21)
    }

    func testAnIdleShardWakesOnlyForHousekeeping() {
        XCTAssertEqual(ShardWakePlan.nextWake(after: 10, firstVisit: nil, housekeeping: 100), 100)
        XCTAssertEqual(ShardWakePlan.nextWake(after: 10, firstVisit: 35, housekeeping: 100), 35)
        XCTAssertEqual(ShardWakePlan.nextWake(after: 10, firstVisit: 35, housekeeping: 20), 20)
    }

    func testOverdueWorkWakesOnTheNextTick() {
        XCTAssertEqual(ShardWakePlan.nextWake(after: 10, firstVisit: 4, housekeeping: 9), 11)
    }

    func testATapsFirstPacketOfABatchWakesTheShardOnTheNextTick() throws {
        let bed = try ForwardingTestBed()
        var wakes = 0
        bed.context.wakeForTaps = { wakes += 1 }
        let first = CountingTap(), second = CountingTap()
        bed.context.queueTapFlush(first)
        bed.context.queueTapFlush(second)
        XCTAssertEqual(wakes, 1, "one wakeup for the batches started before the next tick")
        bed.context.flushTaps()
        XCTAssertEqual([first.flushes, second.flushes], [1, 1])
        bed.context.queueTapFlush(first)
        XCTAssertEqual(wakes, 2, "after the flush a new batch wakes the shard again")
    }

    func testTickNumbersFollowTheClock() {
        let tick = Int64(10_000_000)
        XCTAssertEqual(ShardWakePlan.tick(atElapsed: 0, tickNanoseconds: tick), 0)
        XCTAssertEqual(ShardWakePlan.tick(atElapsed: 29_999_999, tickNanoseconds: tick), 2)
        XCTAssertEqual(ShardWakePlan.tick(atElapsed: -5, tickNanoseconds: tick), 0, "a clock read before the epoch")
    }
}

private final class CountingTap: MediaTap {
    var flushes = 0
    func tap(trackID: String, packet: UnsafeRawBufferPointer, arrival: Double) -> Bool { true }
    func flushTaps() { flushes += 1 }
}
