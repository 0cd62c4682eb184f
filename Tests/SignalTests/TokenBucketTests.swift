import XCTest
@testable import Signal

final class TokenBucketTests: XCTestCase {
    func testABurstPassesThenTheRateHolds() {
        var bucket = TokenBucket(ratePerSecond: 10, burst: 20)
        let burst = (0..<25).filter { _ in bucket.take(now: 100) }.count
        XCTAssertEqual(burst, 20, "the burst, at one instant")
        XCTAssertFalse(bucket.take(now: 100.05), "half a token refilled is not one")
        XCTAssertTrue(bucket.take(now: 100.1), "one token a tenth of a second later")
        XCTAssertFalse(bucket.take(now: 100.1))
        // One second of steady sending at 1000/s: about ten pass.
        var passed = 0
        for step in 1...1000 where bucket.take(now: 100.1 + Double(step) / 1000) { passed += 1 }
        XCTAssertEqual(passed, 10, accuracy: 1)
    }

    func testRefillStopsAtTheBurst() {
        var bucket = TokenBucket(ratePerSecond: 10, burst: 3)
        XCTAssertTrue(bucket.take(now: 0))
        let later = (0..<10).filter { _ in bucket.take(now: 3600) }.count
        XCTAssertEqual(later, 3, "an hour idle buys the burst, no more")
    }

    func testAClockThatGoesBackRefillsNothing() {
        var bucket = TokenBucket(ratePerSecond: 1, burst: 1)
        XCTAssertTrue(bucket.take(now: 50))
        XCTAssertFalse(bucket.take(now: 10))
        XCTAssertFalse(bucket.take(now: 50.5), "time is counted from the latest instant seen")
        XCTAssertTrue(bucket.take(now: 51))
    }

    func testARateOfZeroIsNoLimit() {
        var bucket = TokenBucket(ratePerSecond: 0, burst: 1)
        XCTAssertEqual((0..<10_000).filter { _ in bucket.take(now: 1) }.count, 10_000)
    }

    func testSizeRefusalsNameTheLimit() {
        var limits = ParticipantLimits()
        limits.maxNameLength = 4
        limits.maxMetadataSize = 8
        limits.maxAttributesSize = 6
        XCTAssertNil(limits.sizeRefusal(name: "abcd", metadata: "12345678", attributes: ["k": "12345"]))
        XCTAssertEqual(limits.sizeRefusal(name: "abcde", metadata: "", attributes: [:]), "exceeds name length limit (4 bytes)")
        XCTAssertEqual(limits.sizeRefusal(name: "", metadata: "123456789", attributes: [:]), "exceeds metadata size limit (8 bytes)")
        XCTAssertEqual(limits.sizeRefusal(name: "", metadata: "", attributes: ["k": "123", "kk": "1"]),
                       "exceeds attributes size limit (6 bytes)", "keys and values of every attribute count")
        XCTAssertEqual(limits.sizeRefusal(name: "é", metadata: "", attributes: [:]), nil)
        limits.maxNameLength = 1
        XCTAssertNotNil(limits.sizeRefusal(name: "é", metadata: "", attributes: [:]), "bytes, not characters")
    }
}
