import XCTest
@testable import Signal

final class ConnectionQualityNewsTests: XCTestCase {
    func testOnlyANewParticipantOrAMovedRatingIsNews() {
        let steady: [String: Livekit_ConnectionQuality] = ["PA_a": .excellent, "PA_b": .good]
        XCTAssertFalse(ConnectionQualityNews.isNews(previous: steady, current: steady), "nothing moved: nothing to send")
        XCTAssertTrue(ConnectionQualityNews.isNews(previous: [:], current: steady), "the first update of a room")
        XCTAssertTrue(ConnectionQualityNews.isNews(previous: steady, current: steady.merging(["PA_c": .excellent]) { $1 }),
                      "a participant joined")
        XCTAssertTrue(ConnectionQualityNews.isNews(previous: steady, current: ["PA_a": .excellent, "PA_b": .poor]),
                      "a rating moved")
        XCTAssertFalse(ConnectionQualityNews.isNews(previous: steady, current: ["PA_a": .excellent]),
                       "a participant left: its ParticipantUpdate says so")
    }
}
