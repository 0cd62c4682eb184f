import XCTest
@testable import Redis

/// `AUTH` on connect against a server started with `--requirepass`.
final class RedisAuthTests: XCTestCase {
    private var server: RedisServerProcess!
    private var clients: [RedisClient] = []

    override func setUp() async throws {
        server = try RedisServerProcess(extraArguments: ["--requirepass", "s3cret"])
    }

    override func tearDown() async throws {
        for client in clients { await client.close() }
        clients = []
        server = nil
    }

    private func makeClient(username: String? = nil, password: String?, database: Int = 0, commandTimeout: Double = 10) -> RedisClient {
        var configuration = RedisTestSupport.configuration(
            port: server.port, password: password, database: database, commandTimeout: commandTimeout)
        configuration.username = username
        let client = RedisClient(configuration: configuration, logger: RedisTestSupport.logger())
        clients.append(client)
        return client
    }

    func testRightPasswordAuthenticates() async throws {
        let client = makeClient(password: "s3cret")
        try await client.set("k", "v")
        expect(try await client.getString("k"), "v")
    }

    func testUsernameAndPasswordAuthenticate() async throws {
        let client = makeClient(username: "default", password: "s3cret", database: 2)
        try await client.set("k", "in db 2")
        expect(try await client.getString("k"), "in db 2")
        let info = try await client.send(["CLIENT", "INFO"]).stringValue ?? ""
        XCTAssertTrue(info.contains("db=2"), info)
    }

    func testNoPasswordGetsNOAUTH() async throws {
        let client = makeClient(password: nil)
        do {
            _ = try await client.get("k")
            XCTFail("unauthenticated GET answered")
        } catch RedisError.server(let message) {
            XCTAssertTrue(message.hasPrefix("NOAUTH"), message)
        }
    }

    /// A rejected AUTH fails the handshake; commands fail at their deadline with the reason.
    func testWrongPasswordNeverConnects() async throws {
        let client = makeClient(password: "wrong", commandTimeout: 3)
        do {
            _ = try await client.get("k")
            XCTFail("GET answered with a wrong password")
        } catch RedisError.notConnected(let reason) {
            XCTAssertTrue(reason.contains("WRONGPASS"), reason)
        }
        XCTAssertFalse(client.isConnected)
    }
}
