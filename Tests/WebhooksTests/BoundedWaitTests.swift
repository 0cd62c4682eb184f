import XCTest
@testable import Webhooks

final class BoundedWaitTests: XCTestCase {
    func testTasksThatEndAreWaitedFor() async {
        let tasks: [Task<Void, Never>] = (0..<3).map { n in Task { try? await Task.sleep(nanoseconds: UInt64(n) * 50_000_000) } }
        let ended = await waitForAll(tasks, atMost: 20)
        XCTAssertTrue(ended)
    }

    func testATaskThatWillNotEndDoesNotHoldTheWaitPastItsBound() async {
        // It ends only when the test says so: a request that ignores its cancellation.
        let (gate, open) = AsyncStream.makeStream(of: Void.self)
        let stuck = Task { for await _ in gate {} }
        let started = Date()
        let ended = await waitForAll([stuck], atMost: 0.3)
        XCTAssertFalse(ended)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the bound holds")
        open.finish()
        await stuck.value
    }
}
