import XCTest
@testable import LoadTest

final class LoadTestOptionsTests: XCTestCase {
    private func make(url: String = "http://127.0.0.1:7880", profile: LoadTestProfile = .voice, rooms: Int = 3,
                      publishers: Int? = nil, subscribers: Int? = nil, duration: String = "5s",
                      ramp: String = "50") throws -> LoadTestOptions {
        try LoadTestOptions.make(url: url, apiKey: "devkey", apiSecret: "secret", profile: profile, rooms: rooms,
                                 publishers: publishers, subscribers: subscribers, duration: duration, ramp: ramp, json: true)
    }

    private func assertRefused(_ expected: LoadTestOptionError, file: StaticString = #filePath, line: UInt = #line,
                               _ body: () throws -> LoadTestOptions) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? LoadTestOptionError, expected, file: file, line: line)
        }
    }

    func testVoiceDefaults() throws {
        let options = try make()
        XCTAssertEqual(options.target, try LoopbackTarget(url: "http://127.0.0.1:7880"))
        XCTAssertEqual(options.target.webSocketBase, "ws://127.0.0.1:7880")
        XCTAssertEqual(options.participantsPerRoom, 2)
        XCTAssertEqual(options.totalParticipants, 6)
        XCTAssertEqual(options.durationSeconds, 5)
        XCTAssertEqual(options.rampPerSecond, 50)
    }

    func testDurationsAsTokenCreateTakesThem() throws {
        XCTAssertEqual(try make(duration: "60s").durationSeconds, 60)
        XCTAssertEqual(try make(duration: "1m30s").durationSeconds, 90)
        XCTAssertEqual(try make(duration: "1h").durationSeconds, 3_600)
        XCTAssertEqual(try make(duration: "45").durationSeconds, 45)
        assertRefused(.durationTooLong(7_200, limit: 3_600)) { try make(duration: "2h") }
        XCTAssertThrowsError(try make(duration: "soon"))
        XCTAssertThrowsError(try make(duration: "0s"))
    }

    func testVideoProfileCounts() throws {
        let options = try make(profile: .video, rooms: 2, publishers: 2, subscribers: 5)
        XCTAssertEqual(options.participantsPerRoom, 7)
        XCTAssertEqual(options.totalParticipants, 14)
        let defaults = try make(profile: .video, rooms: 1)
        XCTAssertEqual(defaults.publishersPerRoom, 1)
        XCTAssertEqual(defaults.subscribersPerRoom, 2)
    }

    func testRefusesNonLoopbackServers() {
        assertRefused(.notLoopback("example.com")) { try make(url: "http://example.com:7880") }
        assertRefused(.notLoopback("10.0.0.1")) { try make(url: "ws://10.0.0.1:7880") }
        assertRefused(.notLoopback("128.0.0.1")) { try make(url: "http://128.0.0.1") }
        assertRefused(.notLoopback("0.0.0.0")) { try make(url: "http://0.0.0.0:7880") }
        assertRefused(.notLoopback("127.0.0.1.example.com")) { try make(url: "http://127.0.0.1.example.com") }
        assertRefused(.unsupportedScheme("wss")) { try make(url: "wss://127.0.0.1:7880") }
        assertRefused(.unsupportedScheme("https")) { try make(url: "https://localhost") }
        assertRefused(.invalidURL("http://user@127.0.0.1")) { try make(url: "http://user@127.0.0.1") }
    }

    func testAcceptsLoopbackSpellings() throws {
        XCTAssertEqual(try LoopbackTarget(url: "ws://localhost:7880/").webSocketBase, "ws://localhost:7880")
        XCTAssertEqual(try LoopbackTarget(url: "http://[::1]:9000").webSocketBase, "ws://[::1]:9000")
        XCTAssertEqual(try LoopbackTarget(url: "127.1.2.3:81").port, 81)
        XCTAssertEqual(try LoopbackTarget(url: "http://127.0.0.1").port, 80)
    }

    func testCaps() {
        assertRefused(.tooManyParticipants(6_000, limit: 5_000)) { try make(rooms: 3_000) }
        assertRefused(.outOfRange(option: "--rooms", value: 0, allowed: 1...5_000)) { try make(rooms: 0) }
        assertRefused(.tooManyVideoPublishers(400, limit: 200)) { try make(profile: .video, rooms: 100, publishers: 4, subscribers: 0) }
        assertRefused(.outOfRange(option: "--publishers", value: 0, allowed: 1...16)) { try make(profile: .video, publishers: 0) }
        assertRefused(.optionNotForProfile(option: "--publishers", profile: .voice)) { try make(publishers: 2) }
        assertRefused(.invalidRamp("0")) { try make(ramp: "0") }
        assertRefused(.invalidRamp("fast")) { try make(ramp: "fast") }
        assertRefused(.invalidRamp("5000")) { try make(ramp: "5000") }
    }

    func testCommandParsesOptions() throws {
        let command = try LoadTestCommand.parse(["--url", "http://127.0.0.1:9", "--api-key", "k", "--api-secret", "s",
                                                 "--rooms", "4", "--profile", "video", "--publishers", "2",
                                                 "--subscribers", "3", "--duration", "2m", "--ramp", "12.5", "--json"])
        let options = try command.options(environment: [:])
        XCTAssertEqual(options.rooms, 4)
        XCTAssertEqual(options.profile, .video)
        XCTAssertEqual(options.totalParticipants, 20)
        XCTAssertEqual(options.durationSeconds, 120)
        XCTAssertEqual(options.rampPerSecond, 12.5)
        XCTAssertTrue(options.json)
        XCTAssertThrowsError(try LoadTestCommand.parse(["--profile", "party"]))
    }

    func testMessagesNameTheOption() {
        XCTAssertTrue(LoadTestOptionError.notLoopback("example.com").description.contains("only loopback"))
        XCTAssertTrue(LoadTestOptionError.tooManyParticipants(6_000, limit: 5_000).description.contains("5000"))
    }
}
