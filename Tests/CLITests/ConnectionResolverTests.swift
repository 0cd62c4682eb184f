import XCTest
@testable import CLI

final class ConnectionResolverTests: XCTestCase {
    let environment = [
        "SFU_URL": "http://env-host:7880",
        "SFU_API_KEY": "env-key",
        "SFU_API_SECRET": "env-secret",
    ]

    func testFlagsWinOverEnvironment() throws {
        let options = try ConnectionOptions.parse(["--url", "http://flag-host:1", "--api-key", "flag-key", "--api-secret", "flag-secret"])
        let connection = try options.resolve(environment: environment)
        XCTAssertEqual(connection, ServerConnection(url: "http://flag-host:1", apiKey: "flag-key", apiSecret: "flag-secret"))
    }

    func testEnvironmentFillsMissingFlags() throws {
        let options = try ConnectionOptions.parse(["--api-key", "flag-key"])
        let connection = try options.resolve(environment: environment)
        XCTAssertEqual(connection, ServerConnection(url: "http://env-host:7880", apiKey: "flag-key", apiSecret: "env-secret"))
    }

    func testDefaultURL() throws {
        let connection = try ConnectionOptions.parse([]).resolve(environment: ["SFU_API_KEY": "k", "SFU_API_SECRET": "s"])
        XCTAssertEqual(connection.url, "http://127.0.0.1:7880")
        XCTAssertEqual(connection.httpBaseURL, "http://127.0.0.1:7880")
    }

    func testSFUVariablesWinOverLiveKitOnes() throws {
        let env = environment.merging(["LIVEKIT_API_KEY": "lk-key", "LIVEKIT_URL": "wss://lk.example"]) { a, _ in a }
        XCTAssertEqual(try ConnectionOptions.parse([]).resolve(environment: env).apiKey, "env-key")
        let lkOnly = ["LIVEKIT_URL": "wss://lk.example/", "LIVEKIT_API_KEY": "lk-key", "LIVEKIT_API_SECRET": "lk-secret"]
        let connection = try ConnectionOptions.parse([]).resolve(environment: lkOnly)
        XCTAssertEqual(connection.apiKey, "lk-key")
        XCTAssertEqual(connection.httpBaseURL, "https://lk.example")
    }

    func testMissingCredentialsAreClearErrors() throws {
        XCTAssertThrowsError(try ConnectionOptions.parse([]).resolve(environment: [:])) { error in
            XCTAssertEqual(error as? ConfigurationError, .missingAPIKey)
            XCTAssertTrue("\(error)".contains("SFU_API_KEY"))
        }
        XCTAssertThrowsError(try ConnectionOptions.parse(["--api-key", "k"]).resolve(environment: [:])) { error in
            XCTAssertEqual(error as? ConfigurationError, .missingAPISecret)
        }
        // An empty variable counts as missing.
        XCTAssertThrowsError(try CredentialOptions.parse([]).resolve(environment: ["SFU_API_KEY": "", "SFU_API_SECRET": "s"])) { error in
            XCTAssertEqual(error as? ConfigurationError, .missingAPIKey)
        }
    }

    func testHTTPBaseURL() {
        func base(_ url: String) -> String { ServerConnection(url: url, apiKey: "", apiSecret: "").httpBaseURL }
        XCTAssertEqual(base("ws://h:7880"), "http://h:7880")
        XCTAssertEqual(base("wss://h"), "https://h")
        XCTAssertEqual(base("https://h/"), "https://h")
        XCTAssertEqual(base("h:7880"), "http://h:7880")
    }
}
