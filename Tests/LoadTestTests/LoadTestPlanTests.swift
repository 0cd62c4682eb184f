import XCTest
@testable import LoadTest

final class LoadTestPlanTests: XCTestCase {
    func testVoiceRoomsHoldACallerAndAnAgent() throws {
        let options = try LoadTestOptions.make(url: "http://127.0.0.1:1", apiKey: "k", apiSecret: "s", profile: .voice, rooms: 3,
                                               publishers: nil, subscribers: nil, duration: "5s", ramp: "10", json: false)
        let plans = LoadTestPlan.participants(for: options, runID: "r")
        XCTAssertEqual(plans.count, 6)
        XCTAssertEqual(plans.map(\.room), ["load-test-r-0", "load-test-r-0", "load-test-r-1", "load-test-r-1", "load-test-r-2", "load-test-r-2"])
        XCTAssertEqual(plans[0].identity, "caller-0")
        XCTAssertEqual(plans[1].identity, "agent-0")
        XCTAssertTrue(plans.allSatisfy { $0.publishesAudio && !$0.publishesVideo && $0.subscribes })
        XCTAssertEqual(LoadTestPlan.expectedSubscribedTracks(plans), 6)
    }

    func testVideoRooms() throws {
        let options = try LoadTestOptions.make(url: "http://127.0.0.1:1", apiKey: "k", apiSecret: "s", profile: .video, rooms: 2,
                                               publishers: 2, subscribers: 3, duration: "5s", ramp: "10", json: false)
        let plans = LoadTestPlan.participants(for: options, runID: "x")
        XCTAssertEqual(plans.count, 10)
        XCTAssertEqual(plans.filter(\.publishesVideo).count, 4)
        XCTAssertEqual(plans.filter { $0.subscribes }.count, 6)
        // Each subscriber receives audio + video of both publishers of its room.
        XCTAssertEqual(LoadTestPlan.expectedSubscribedTracks(plans), 6 * 4)
        XCTAssertEqual(Set(plans.map(\.identity)).count, plans.count)
    }
}

final class LoadTestMutedPlanTests: XCTestCase {
    func testMutedRunsPublishAndSubscribeButSendNothing() throws {
        let options = try LoadTestOptions.make(url: "http://127.0.0.1:1", apiKey: "k", apiSecret: "s", profile: .voice, rooms: 2,
                                               publishers: nil, subscribers: nil, duration: "5s", ramp: "10", muted: true,
                                               json: false)
        let plans = LoadTestPlan.participants(for: options, runID: "m")
        XCTAssertEqual(plans.count, 4)
        XCTAssertTrue(plans.allSatisfy { $0.publishesAudio && $0.subscribes && !$0.sendsMedia })
        XCTAssertEqual(LoadTestPlan.expectedSubscribedTracks(plans), 4)
        let sending = try LoadTestOptions.make(url: "http://127.0.0.1:1", apiKey: "k", apiSecret: "s", profile: .voice, rooms: 1,
                                               publishers: nil, subscribers: nil, duration: "5s", ramp: "10", json: false)
        XCTAssertTrue(LoadTestPlan.participants(for: sending, runID: "s").allSatisfy(\.sendsMedia))
    }
}
