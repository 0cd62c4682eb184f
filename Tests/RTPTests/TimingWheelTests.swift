import XCTest
@testable import RTP

final class TimingWheelTests: XCTestCase {
    private func collect(_ wheel: inout TimingWheel, through tick: Int64) -> [Int32] {
        var due: [Int32] = []
        wheel.advance(through: tick, into: &due)
        return due
    }

    func testCollectsInTickOrder() {
        var wheel = TimingWheel(slotCount: 64, startTick: 0)
        wheel.schedule(1, at: 3)
        wheel.schedule(2, at: 1)
        wheel.schedule(3, at: 3)
        XCTAssertEqual(wheel.scheduledCount, 3)
        XCTAssertEqual(collect(&wheel, through: 2), [2])
        XCTAssertEqual(Set(collect(&wheel, through: 10)), [1, 3])
        XCTAssertEqual(wheel.scheduledCount, 0)
        wheel.schedule(1, at: 23)
        XCTAssertEqual(collect(&wheel, through: 22), [])
        XCTAssertEqual(collect(&wheel, through: 23), [1])
        XCTAssertEqual(collect(&wheel, through: 23), [])  // a tick is collected once
    }

    func testPastAndFarTicksAreClamped() {
        var wheel = TimingWheel(slotCount: 16, startTick: 100)
        wheel.schedule(7, at: 50)  // past: due on the next advance
        wheel.schedule(8, at: 1_000)  // beyond the window: due at the window's end (115)
        XCTAssertEqual(collect(&wheel, through: 100), [7])
        XCTAssertEqual(collect(&wheel, through: 114), [])
        XCTAssertEqual(collect(&wheel, through: 115), [8])
    }

    func testReschedulingAtACollectedTickWaitsForTheNext() {
        var wheel = TimingWheel(slotCount: 8, startTick: 0)
        wheel.schedule(1, at: 0)
        XCTAssertEqual(collect(&wheel, through: 0), [1])
        wheel.schedule(1, at: 0)
        XCTAssertEqual(wheel.nextTick, 1)
        XCTAssertEqual(collect(&wheel, through: 1), [1])
    }

    func testAStallLongerThanTheWheelCollectsOneLap() {
        var wheel = TimingWheel(slotCount: 8, startTick: 0)
        wheel.schedule(1, at: 2)
        wheel.schedule(2, at: 7)
        XCTAssertEqual(collect(&wheel, through: 100), [1, 2])
        XCTAssertEqual(wheel.nextTick, 101)
    }

    func testAnIDIsScheduledOnceAtATime() {
        var wheel = TimingWheel(slotCount: 8, startTick: 0)
        wheel.schedule(3, at: 2)
        wheel.schedule(3, at: 5)  // ignored: already in the wheel
        XCTAssertEqual(wheel.scheduledCount, 1)
        XCTAssertEqual(collect(&wheel, through: 7), [3])
        wheel.schedule(-1, at: 9)
        XCTAssertEqual(wheel.scheduledCount, 0)
    }

    func testTwoThousandStreamsAtTwentyMilliseconds() {
        var wheel = TimingWheel(slotCount: 256, startTick: 0)
        for id in 0..<2_000 { wheel.schedule(Int32(id), at: Int64(id % 20)) }
        var sends = 0
        var due: [Int32] = []
        for tick in 0..<1_000 {
            wheel.advance(through: Int64(tick), into: &due)
            sends += due.count
            for id in due { wheel.schedule(id, at: Int64(tick) + 20) }
            due.removeAll(keepingCapacity: true)
        }
        XCTAssertEqual(sends, 2_000 * 50)
        XCTAssertEqual(wheel.scheduledCount, 2_000)
    }

    func testUnscheduleTakesAnIDOutOfItsSlotWherever() {
        var wheel = TimingWheel(slotCount: 8, startTick: 0)
        for id in Int32(0)..<4 { wheel.schedule(id, at: 3) }  // one slot: 3, 2, 1, 0
        wheel.unschedule(2)  // middle
        wheel.unschedule(3)  // head
        wheel.unschedule(0)  // tail
        wheel.unschedule(0)  // not scheduled: nothing
        wheel.unschedule(99)  // never seen: nothing
        XCTAssertEqual(wheel.scheduledCount, 1)
        XCTAssertFalse(wheel.isScheduled(2))
        XCTAssertTrue(wheel.isScheduled(1))
        XCTAssertEqual(collect(&wheel, through: 7), [1])
        wheel.schedule(2, at: 9)  // an unscheduled id can come back
        XCTAssertEqual(collect(&wheel, through: 9), [2])
    }

    func testRescheduleMovesAnIDEarlierOrLater() {
        var wheel = TimingWheel(slotCount: 256, startTick: 0)
        wheel.schedule(5, at: 100)
        wheel.schedule(6, at: 100)
        wheel.reschedule(5, at: 1)  // earlier
        wheel.reschedule(7, at: 2)  // not yet scheduled: scheduled
        XCTAssertEqual(wheel.scheduledCount, 3)
        XCTAssertEqual(collect(&wheel, through: 2), [5, 7])
        wheel.reschedule(6, at: 150)  // later
        XCTAssertEqual(collect(&wheel, through: 149), [])
        XCTAssertEqual(collect(&wheel, through: 150), [6])
        XCTAssertEqual(wheel.scheduledCount, 0)
    }

    func testFirstScheduledTickFindsTheEarliestNonEmptySlotWithinTheLimit() {
        var wheel = TimingWheel(slotCount: 64, startTick: 10)
        XCTAssertNil(wheel.firstScheduledTick(within: 64), "empty wheel")
        wheel.schedule(1, at: 40)
        wheel.schedule(2, at: 25)
        XCTAssertEqual(wheel.firstScheduledTick(within: 64), 25)
        XCTAssertNil(wheel.firstScheduledTick(within: 15), "25 is 15 ticks past nextTick 10: outside the limit")
        var due: [Int32] = []
        wheel.advance(through: 30, into: &due)
        XCTAssertEqual(due, [2])
        XCTAssertEqual(wheel.firstScheduledTick(within: 64), 40, "searching starts at nextTick, after the advance")
        wheel.unschedule(1)
        XCTAssertNil(wheel.firstScheduledTick(within: 64))
    }
}
