import Foundation
import XCTest
@testable import Server

/// Ended recordings stay listed for an hour and at most 1000 of them (EgressManager.prune).
final class EgressPruneTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_000_000)
    func ns(_ secondsAgo: Double) -> Int64 { Int64((now.timeIntervalSince1970 - secondsAgo) * 1e9) }

    func testRecordingsEndedBeforeTheRetentionAreForgotten() {
        let ended = [(id: "EG_old", endedAt: ns(3601)), (id: "EG_recent", endedAt: ns(3599)), (id: "EG_now", endedAt: ns(0))]
        XCTAssertEqual(EgressManager.expired(ended, now: now, retention: 3600, kept: 1000), ["EG_old"])
    }

    func testBeyondTheCountTheOldestGoFirst() {
        let ended = (0..<5).map { (id: "EG_\($0)", endedAt: ns(Double(100 - $0))) }  // EG_0 is the oldest
        XCTAssertEqual(Set(EgressManager.expired(ended.shuffled(), now: now, retention: 3600, kept: 3)), ["EG_0", "EG_1"])
        XCTAssertEqual(EgressManager.expired(ended, now: now, retention: 3600, kept: 5), [])
    }
}
