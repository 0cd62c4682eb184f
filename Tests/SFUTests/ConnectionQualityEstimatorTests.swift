import XCTest
@testable import SFU

final class ConnectionQualityEstimatorTests: XCTestCase {
    func testLossBands() {
        var q = ConnectionQualityEstimator()
        q.update(expected: 1000, lost: 0, jitter: 0.005, rtt: 0.05, now: 1)
        XCTAssertEqual(q.rating, .excellent)
        XCTAssertGreaterThan(q.score, 4.1)
        XCTAssertLessThanOrEqual(q.score, 5)

        q = ConnectionQualityEstimator()
        q.update(expected: 1000, lost: 50, jitter: 0.005, rtt: 0.05, now: 1)
        XCTAssertEqual(q.rating, .good)

        q = ConnectionQualityEstimator()
        q.update(expected: 1000, lost: 150, jitter: 0.005, rtt: 0.05, now: 1)
        XCTAssertEqual(q.rating, .poor)
        XCTAssertGreaterThanOrEqual(q.score, 1)
    }

    func testNoPacketsWhenExpectedIsLost() {
        var q = ConnectionQualityEstimator()
        q.update(expected: 50, lost: 50, jitter: 0, rtt: nil, now: 1)
        XCTAssertEqual(q.rating, .lost)
        XCTAssertEqual(q.rating.rawValue, 3)
        XCTAssertEqual(q.score, 1)
    }

    func testNothingExpectedKeepsRating() {
        var q = ConnectionQualityEstimator()
        q.update(expected: 1000, lost: 50, jitter: 0.005, rtt: 0.05, now: 1)
        q.update(expected: 0, lost: 0, jitter: 0, rtt: nil, now: 2)
        XCTAssertEqual(q.rating, .good)
    }

    func testHighDelayAndJitterDegrade() {
        var q = ConnectionQualityEstimator()
        q.update(expected: 1000, lost: 0, jitter: 0.1, rtt: 0.6, now: 1)
        XCTAssertEqual(q.rating, .poor)
    }

    func testDropsAtOnceRecoversGradually() {
        var q = ConnectionQualityEstimator()
        q.update(expected: 100, lost: 100, jitter: 0, rtt: nil, now: 1)
        XCTAssertEqual(q.rating, .lost)
        q.update(expected: 100, lost: 0, jitter: 0.002, rtt: 0.02, now: 2)
        XCTAssertNotEqual(q.rating, .excellent)
        XCTAssertNotEqual(q.rating, .lost)
        var ratings: [ConnectionQualityRating] = []
        for i in 3..<10 {
            q.update(expected: 100, lost: 0, jitter: 0.002, rtt: 0.02, now: Double(i))
            ratings.append(q.rating)
        }
        XCTAssertEqual(ratings.last, .excellent)
        q.update(expected: 100, lost: 20, jitter: 0.002, rtt: 0.02, now: 11)
        XCTAssertEqual(q.rating, .poor)
    }

    func testScoreMonotonicInLoss() {
        var previous = Float.infinity
        for loss in stride(from: 0.0, through: 100, by: 2.5) {
            let s = ConnectionQualityEstimator.mos(lossPercent: loss, jitter: 0.01, rtt: 0.1)
            XCTAssertLessThanOrEqual(s, previous)
            XCTAssertTrue((1...4.5).contains(s))
            previous = s
        }
    }

    func testOddInputs() {
        var q = ConnectionQualityEstimator()
        q.update(expected: 10, lost: 1000, jitter: .nan, rtt: -.infinity, now: .nan)
        XCTAssertEqual(q.rating, .lost)
        q.update(expected: .max, lost: 0, jitter: .infinity, rtt: .nan, now: 0)
        XCTAssertTrue((1...4.5).contains(q.score))
    }
}
