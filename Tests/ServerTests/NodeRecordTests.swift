import Config
import XCTest
import Redis
@testable import Server

/// A node's Redis record round-trips, a malformed one is skipped, the CPU is cores busy
/// between two heartbeats, and `[redis]` parses or names its bad key.
final class NodeRecordTests: XCTestCase {
    func testRecordRoundTripsThroughItsHashFields() throws {
        var record = NodeRecord(id: "ND_abc", http: "10.0.0.5:7880", media: "203.0.113.9:7882")
        record.rooms = 3
        record.participants = 7
        record.cpuCores = 1.25
        record.cores = 4
        record.draining = true
        record.startedAtMs = 1_700_000_000_000
        record.updatedAtMs = 1_700_000_001_000
        XCTAssertEqual(NodeRecord(fields: record.fields), record)
        XCTAssertEqual(NodeRecord.key("ND_abc"), "sfu:node:ND_abc")
    }

    func testMalformedOrForeignHashesAreSkipped() {
        let good = NodeRecord(id: "ND_x", http: "h:1", media: "m:2").fields
        XCTAssertNotNil(NodeRecord(fields: good))
        for field in ["id", "http", "media", "rooms", "participants", "draining"] {
            var broken = good
            broken[field] = nil
            XCTAssertNil(NodeRecord(fields: broken), "without \(field)")
        }
        var bad = good
        bad["rooms"] = "many"
        XCTAssertNil(NodeRecord(fields: bad))
        bad = good
        bad["draining"] = "yes"
        XCTAssertNil(NodeRecord(fields: bad))
        bad = good
        bad["id"] = ""
        XCTAssertNil(NodeRecord(fields: bad))
        XCTAssertNil(NodeRecord(fields: [:]))
    }

    func testCPUIsCoresBusyBetweenReadings() {
        var beat = NodeHeartbeat(ttlMs: 5000)
        XCTAssertEqual(beat.cpuCores(cpuSeconds: 10, nowMs: 1000), 0, "first reading has nothing to compare")
        XCTAssertEqual(beat.cpuCores(cpuSeconds: 11.5, nowMs: 2000), 1.5, accuracy: 1e-9)
        XCTAssertEqual(beat.cpuCores(cpuSeconds: 11.5, nowMs: 2000), 0, "no time passed")
        XCTAssertEqual(beat.cpuCores(cpuSeconds: 12, nowMs: 4000), 0.25, accuracy: 1e-9)
        XCTAssertEqual(beat.staleBefore(nowMs: 10_000), 5000)
    }

    func testRedisSection() throws {
        XCTAssertNil(try ServerConfig.parse("[keys]\na = \"b\"\n").redis)
        let config = try ServerConfig.parse("[redis]\naddress = \"10.1.2.3:6380\"\npassword = \"pw\"\ndb = 2\n[keys]\na = \"b\"\n")
        XCTAssertEqual(config.redis, RedisSettings(host: "10.1.2.3", port: 6380, username: nil, password: "pw", db: 2))
        XCTAssertEqual(try ServerConfig.parse("[redis]\naddress = \"[::1]:6379\"\n[keys]\na = \"b\"\n").redis?.host, "::1")
        let tls = try ServerConfig.parse("[redis]\naddress = \"r:6380\"\ntls = true\nserver_name = \"redis.internal\"\n[keys]\na = \"b\"\n").redis
        XCTAssertEqual(tls?.tls, RedisTLS(caFile: nil, serverName: "redis.internal"))
        XCTAssertEqual(tls?.configuration.tls, RedisTLS(caFile: nil, serverName: "redis.internal"))
        let bad: [(String, String)] = [
            ("[redis]\npassword = \"x\"\n", "redis.address"),
            ("[redis]\naddress = \"no-port\"\n", "redis.address"),
            ("[redis]\naddress = \"h:0\"\n", "redis.address"),
            ("[redis]\naddress = \":6379\"\n", "redis.address"),
            ("[redis]\naddress = \"h:1\"\ndb = 99\n", "redis.db"),
            ("[redis]\naddress = \"h:1\"\ntls = true\nca_file = \"/nonexistent/ca.pem\"\n", "redis.ca_file"),
            ("[redis]\naddress = \"h:1\"\nserver_name = \"redis\"\n", "redis.server_name"),
            ("[redis]\naddress = \"h:1\"\ncluster = true\n", "redis.cluster"),
        ]
        for (text, key) in bad {
            XCTAssertThrowsError(try ServerConfig.parse(text + "[keys]\na = \"b\"\n")) { error in
                XCTAssertEqual((error as? ConfigError)?.key, key, text)
            }
        }
    }
}
