import XCTest
@testable import Server

final class ConnectionTableTests: XCTestCase {
    func testAdmitsUpToTheCapacity() {
        var table = ConnectionTable(capacity: 2)
        XCTAssertEqual(table.admit(now: 1), .admitted(1))
        XCTAssertEqual(table.admit(now: 2), .admitted(2))
        XCTAssertEqual(table.count, 2)
    }

    func testAtTheCapTheOldestIdleConnectionMakesRoom() {
        var table = ConnectionTable(capacity: 3)
        _ = table.admit(now: 10)  // 1
        _ = table.admit(now: 5)   // 2, idle since earlier
        _ = table.admit(now: 20)  // 3
        XCTAssertEqual(table.admit(now: 30), .admittedEvicting(4, evicted: 2))
        XCTAssertEqual(table.count, 3)
        XCTAssertFalse(table.isIdle(2))
        XCTAssertEqual(table.admit(now: 31), .admittedEvicting(5, evicted: 1))
    }

    func testBusyConnectionsAreNeverEvictedAndTheNewOneIsRefused() {
        var table = ConnectionTable(capacity: 2)
        _ = table.admit(now: 1)
        _ = table.admit(now: 2)
        table.markBusy(1)
        table.markBusy(2)
        XCTAssertEqual(table.admit(now: 3), .refused)
        XCTAssertEqual(table.count, 2)
        // a response completes: connection 2 waits idle for its next request and may make room
        table.markIdle(2, now: 4)
        XCTAssertEqual(table.admit(now: 5), .admittedEvicting(3, evicted: 2))
    }

    func testRemoveFreesTheSlotAndUnknownIDsAreIgnored() {
        var table = ConnectionTable(capacity: 1)
        XCTAssertEqual(table.admit(now: 1), .admitted(1))
        table.markBusy(1)
        XCTAssertEqual(table.admit(now: 2), .refused)
        table.remove(1)
        table.remove(99)
        table.markIdle(99, now: 3)
        table.markBusy(99)
        XCTAssertEqual(table.count, 0)
        XCTAssertEqual(table.admit(now: 4), .admitted(2))
    }
}
