import XCTest
@testable import Redis

final class RedisConfigurationTests: XCTestCase {
    func testParsesHostAndPort() throws {
        XCTAssertEqual(try RedisConfiguration.parse(address: "localhost:6379").host, "localhost")
        XCTAssertEqual(try RedisConfiguration.parse(address: "localhost:6379").port, 6379)
        XCTAssertEqual(try RedisConfiguration.parse(address: "10.0.0.7:1").port, 1)
        XCTAssertEqual(try RedisConfiguration.parse(address: "redis.internal:65535").host, "redis.internal")
        XCTAssertEqual(try RedisConfiguration.parse(address: " 127.0.0.1:7000 ").host, "127.0.0.1")
        let v6 = try RedisConfiguration.parse(address: "[::1]:6380")
        XCTAssertEqual(v6.host, "::1")
        XCTAssertEqual(v6.port, 6380)
    }

    func testRejectsBadAddresses() {
        for bad in ["", "localhost", "localhost:", ":6379", "host:0", "host:65536", "host:123456", "host:abc",
                    "host:+1", "host:-1", "host:63 79", "::1:6379", "[::1]6379", "[::1", "[]:6379", "a:b:c", "ho st:1"] {
            XCTAssertThrowsError(try RedisConfiguration.parse(address: bad), bad) { error in
                guard case .invalidAddress = error as? RedisError else { return XCTFail("\(bad): \(error)") }
            }
        }
    }

    func testAddressInitializerKeepsDefaults() throws {
        let configuration = try RedisConfiguration(address: "cache:6390", password: "pw", database: 2)
        XCTAssertEqual(configuration.host, "cache")
        XCTAssertEqual(configuration.port, 6390)
        XCTAssertEqual(configuration.password, "pw")
        XCTAssertEqual(configuration.database, 2)
        XCTAssertEqual(configuration.commandTimeout, RedisConfiguration().commandTimeout)
        XCTAssertEqual(configuration.initialReconnectDelay, 0.05)
        XCTAssertEqual(configuration.maxReconnectDelay, 2)
    }
}
