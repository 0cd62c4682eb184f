import Config
import XCTest
@testable import Server

/// The drain's decisions without signals or sockets: first signal drains, the node stops when
/// no work is left, at the timeout, or on a second signal; `[node] drain_timeout` parses.
final class DrainStateTests: XCTestCase {
    func testServingUntilTheFirstSignalThenStopsWhenTheWorkIsDone() {
        var drain = DrainState(timeout: 3600)
        XCTAssertFalse(drain.isDraining)
        XCTAssertEqual(drain.check(now: 1, remainingWork: 0), .none, "a serving node never stops by itself")
        XCTAssertEqual(drain.signal(now: 10), .startDraining)
        XCTAssertTrue(drain.isDraining)
        XCTAssertEqual(drain.check(now: 11, remainingWork: 3), .none)
        XCTAssertEqual(drain.check(now: 500, remainingWork: 1), .none)
        XCTAssertEqual(drain.check(now: 501, remainingWork: 0), .stop(.idle))
        XCTAssertEqual(drain.phase, .stopping(.idle))
        XCTAssertEqual(drain.check(now: 502, remainingWork: 0), .none, "stops once")
        XCTAssertEqual(drain.signal(now: 503), .none)
    }

    func testTheTimeoutBoundsTheWait() {
        var drain = DrainState(timeout: 60)
        _ = drain.signal(now: 100)
        XCTAssertEqual(drain.check(now: 159.9, remainingWork: 5), .none)
        XCTAssertEqual(drain.check(now: 160, remainingWork: 5), .stop(.timedOut))
    }

    func testASecondSignalStopsAtOnce() {
        var drain = DrainState(timeout: 3600)
        XCTAssertEqual(drain.signal(now: 1), .startDraining)
        XCTAssertEqual(drain.signal(now: 2), .stop(.secondSignal))
        XCTAssertEqual(drain.check(now: 3, remainingWork: 0), .none)
    }

    func testZeroTimeoutStopsAtTheFirstCheck() {
        var drain = DrainState(timeout: 0)
        _ = drain.signal(now: 5)
        XCTAssertEqual(drain.check(now: 5, remainingWork: 2), .stop(.timedOut))
    }

    func testDrainTimeoutConfig() throws {
        XCTAssertEqual(try ServerConfig.parse("[keys]\na = \"b\"\n").drainTimeout, 3600)
        XCTAssertEqual(try ServerConfig.parse("[node]\ndrain_timeout = 30\n[keys]\na = \"b\"\n").drainTimeout, 30)
        for value in ["-1", "\"soon\"", "999999999"] {
            XCTAssertThrowsError(try ServerConfig.parse("[node]\ndrain_timeout = \(value)\n[keys]\na = \"b\"\n")) { error in
                XCTAssertEqual((error as? ConfigError)?.key, "node.drain_timeout", value)
            }
        }
        XCTAssertThrowsError(try ServerConfig.parse("[node]\nname = \"x\"\n[keys]\na = \"b\"\n"))
    }
}
