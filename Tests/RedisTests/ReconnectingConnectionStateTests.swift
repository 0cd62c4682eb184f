import XCTest
@testable import Redis

final class ReconnectingConnectionStateTests: XCTestCase {
    typealias State = ReconnectingConnectionState<String>

    private func makeState() -> State {
        State(backoff: ReconnectBackoff(initial: 0.05, maximum: 2))
    }

    func testFirstCommandConnectsAndWaits() {
        var state = makeState()
        XCTAssertEqual(state.send(id: 1, "a"), [.connect])
        XCTAssertEqual(state.send(id: 2, "b"), [], "already connecting")
        XCTAssertEqual(state.phase, .connecting)
        XCTAssertEqual(state.waitingCount, 2)
        XCTAssertEqual(state.connected(), [.announceConnected, .write(["a", "b"])], "announce first, then in order")
        XCTAssertEqual(state.send(id: 3, "c"), [.write(["c"])])
        XCTAssertEqual(state.waitingCount, 0)
    }

    func testStartIsIdempotent() {
        var state = makeState()
        XCTAssertEqual(state.start(), [.connect])
        XCTAssertEqual(state.start(), [])
        XCTAssertEqual(state.connected(), [.announceConnected])
        XCTAssertEqual(state.start(), [])
    }

    func testFailedAttemptsBackOffExponentiallyUpToTheCap() {
        var state = makeState()
        _ = state.start()
        var delays: [Double] = []
        for attempt in 1...9 {
            let actions = state.connectFailed("refused \(attempt)", jitter: 0)
            guard case .scheduleReconnect(let seconds)? = actions.first, actions.count == 1 else {
                return XCTFail("\(actions)")
            }
            delays.append(seconds)
            XCTAssertEqual(state.phase, .backingOff)
            XCTAssertEqual(state.reconnectDue(), [.connect])
        }
        XCTAssertEqual(delays, [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 2, 2, 2])
        XCTAssertEqual(state.lastFailure, "refused 9")
        XCTAssertEqual(state.connected(), [.announceConnected])
        XCTAssertEqual(state.failures, 0, "a connection resets the backoff")
    }

    func testJitterAddsAtMostTenPercent() {
        let backoff = ReconnectBackoff(initial: 0.05, maximum: 2)
        XCTAssertEqual(backoff.delay(afterFailures: 1, jitter: 0.999), 0.05 * 1.0999, accuracy: 1e-9)
        XCTAssertEqual(backoff.delay(afterFailures: 100, jitter: 0.5), 2.1, accuracy: 1e-9)
        XCTAssertEqual(backoff.delay(afterFailures: Int.max, jitter: 0), 2)
    }

    func testDropReconnectsAfterTheInitialDelay() {
        var state = makeState()
        _ = state.start()
        _ = state.connected()
        XCTAssertEqual(state.disconnected("connection closed", jitter: 0),
                       [.announceDisconnected, .scheduleReconnect(seconds: 0.05)])
        XCTAssertEqual(state.send(id: 1, "a"), [], "waits for the new connection")
        XCTAssertEqual(state.reconnectDue(), [.connect])
        XCTAssertEqual(state.connected(), [.announceConnected, .write(["a"])])
    }

    func testWaitingCommandExpiresWithTheLastFailure() {
        var state = makeState()
        _ = state.send(id: 1, "a")
        _ = state.send(id: 2, "b")
        _ = state.connectFailed("connection refused", jitter: 0)
        XCTAssertEqual(state.waitExpired(id: 1), [.fail(["a"], .notConnected("connection refused"))])
        XCTAssertEqual(state.waitExpired(id: 1), [], "already failed")
        XCTAssertEqual(state.reconnectDue(), [.connect])
        XCTAssertEqual(state.connected(), [.announceConnected, .write(["b"])])
        XCTAssertEqual(state.waitExpired(id: 2), [], "written: the connection's own timeout applies now")
    }

    func testCloseFailsWaitingAndStopsEverything() {
        var state = makeState()
        _ = state.send(id: 1, "a")
        XCTAssertEqual(state.close(), [.fail(["a"], .clientClosed)])
        XCTAssertEqual(state.connected(), [.closeConnection], "a connection that comes up after close is closed")
        XCTAssertEqual(state.connectFailed("x", jitter: 0), [])
        XCTAssertEqual(state.reconnectDue(), [])
        XCTAssertEqual(state.send(id: 2, "b"), [.fail(["b"], .clientClosed)])
        XCTAssertEqual(state.start(), [])
    }

    func testCloseWhileConnectedClosesTheConnection() {
        var state = makeState()
        _ = state.start()
        _ = state.connected()
        XCTAssertEqual(state.close(), [.announceDisconnected, .closeConnection])
        XCTAssertEqual(state.disconnected("closed", jitter: 0), [], "no reconnect after close")
    }

    func testStaleEventsAreIgnored() {
        var state = makeState()
        XCTAssertEqual(state.disconnected("x", jitter: 0), [])
        XCTAssertEqual(state.connectFailed("x", jitter: 0), [])
        XCTAssertEqual(state.reconnectDue(), [])
        XCTAssertEqual(state.phase, .idle)
    }
}
