import NIOConcurrencyHelpers
import XCTest
@testable import Signal

final class OwnedTasksTests: XCTestCase {
    func testATaskIsHeldUntilItEndsAndShutdownWaitsForIt() async {
        let tasks = OwnedTasks()
        let done = NIOLockedValueBox(false)
        XCTAssertTrue(tasks.spawn {
            try? await Task.sleep(for: .milliseconds(200))
            done.withLockedValue { $0 = true }
        })
        XCTAssertEqual(tasks.count, 1)
        await tasks.shutdown(cancel: false)
        XCTAssertTrue(done.withLockedValue { $0 }, "shutdown returned before its task finished")
        XCTAssertEqual(tasks.count, 0)
    }

    func testShutdownWithCancelCancelsAndNothingStartsAfterwards() async {
        let tasks = OwnedTasks()
        let sawCancel = NIOLockedValueBox(false)
        tasks.spawn {
            try? await Task.sleep(for: .seconds(30))
            sawCancel.withLockedValue { $0 = Task.isCancelled }
        }
        let started = Date()
        await tasks.shutdown(cancel: true)
        XCTAssertTrue(sawCancel.withLockedValue { $0 })
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "cancelled, not waited out")
        XCTAssertTrue(tasks.isShutDown)
        XCTAssertFalse(tasks.spawn { XCTFail("ran after shutdown") })
        XCTAssertEqual(tasks.count, 0)
    }

    func testFinishedTasksLeave() async throws {
        let tasks = OwnedTasks()
        for _ in 0..<50 { tasks.spawn {} }
        let deadline = Date().addingTimeInterval(10)
        while tasks.count > 0, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(tasks.count, 0, "a finished task must not be held")
    }
}
