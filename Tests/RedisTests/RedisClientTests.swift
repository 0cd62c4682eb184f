import Foundation
import XCTest
@testable import Redis

/// `RedisClient` against a real redis-server of the test's own.
final class RedisClientTests: XCTestCase {
    private var server: RedisServerProcess!
    private var clients: [RedisClient] = []

    override func setUp() async throws {
        server = try RedisServerProcess()
    }

    override func tearDown() async throws {
        for client in clients { await client.close() }
        clients = []
        server = nil
    }

    private func makeClient(commandTimeout: Double = 10, database: Int = 0) -> RedisClient {
        let client = RedisClient(
            configuration: RedisTestSupport.configuration(port: server.port, database: database, commandTimeout: commandTimeout),
            logger: RedisTestSupport.logger())
        clients.append(client)
        return client
    }

    func testBasicCommands() async throws {
        let client = makeClient()
        XCTAssertFalse(client.isConnected, "connects on the first command")
        expect(try await client.get("missing"), nil)
        XCTAssertTrue(client.isConnected)

        expect(try await client.set("greeting", "hello"), true)
        expect(try await client.getString("greeting"), "hello")
        expect(try await client.set("greeting", "again", nx: true), false, "NX on an existing key")
        expect(try await client.set("fresh", "x", px: 60_000, nx: true), true)
        let ttl = try await client.send(["PTTL", "fresh"]).int64Value ?? -1
        XCTAssertGreaterThan(ttl, 0)
        XCTAssertLessThanOrEqual(ttl, 60_000)

        let binary: [UInt8] = [0, 13, 10, 255]
        try await client.set("binary", binary)
        expect(try await client.get("binary"), binary)

        expect(try await client.incr("counter"), 1)
        expect(try await client.incr("counter"), 2)

        expect(try await client.expire("counter", seconds: 100), true)
        expect(try await client.pexpire("counter", milliseconds: 100_000), true)
        expect(try await client.expire("missing", seconds: 1), false)

        expect(try await client.del("greeting", "fresh", "missing"), 2)
        expect(try await client.get("greeting"), nil)

        expect(try await client.hset("room:1", ["node": "a", "sid": "RM_1"]), 2)
        expect(try await client.hset("room:1", ["node": "b"]), 0, "no new field")
        expect(try await client.hgetall("room:1"), ["node": "b", "sid": "RM_1"])
        expect(try await client.hdel("room:1", "sid", "missing"), 1)
        expect(try await client.hgetall("room:1"), ["node": "b"])
        expect(try await client.hgetall("missing"), [:])

        expect(try await client.sadd("nodes", "a", "b", "a"), 2)
        expect(try await client.srem("nodes", "a", "z"), 1)
        expect(try await client.smembers("nodes"), ["b"])
        expect(try await client.smembers("missing"), [])

        expect(try await client.publish("nobody", "hi"), 0)

        let script = try await client.eval("return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1}", keys: ["k"], args: ["v", "41"])
        XCTAssertEqual(script, .array([.bulk("k"), .bulk("v"), .integer(42)]))
        expect(try await client.send(["PING"]), .simpleString("PONG"))
    }

    /// 100 commands from 100 tasks on one connection: each gets its own reply.
    func testPipelinedConcurrentCommandsAnswerInOrder() async throws {
        let client = makeClient()
        try await withThrowingTaskGroup(of: (Int, RESPValue).self) { group in
            for index in 0..<100 {
                group.addTask { (index, try await client.send(["ECHO", "message-\(index)"])) }
            }
            var seen = Set<Int>()
            for try await (index, reply) in group {
                XCTAssertEqual(reply, .bulk("message-\(index)"))
                seen.insert(index)
            }
            XCTAssertEqual(seen.count, 100)
        }
        // And INCR from many tasks: each value exactly once.
        let values = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<100 { group.addTask { try await client.incr("pipelined") } }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        XCTAssertEqual(values.sorted(), Array(1...100))
    }

    func testErrorRepliesAreThrown() async throws {
        let client = makeClient()
        await assertServerError(try await client.send(["NOSUCHCOMMAND", "x"]), prefix: "ERR unknown command")
        try await client.sadd("a-set", "m")
        await assertServerError(try await client.get("a-set"), prefix: "WRONGTYPE")
        await assertServerError(try await client.eval("return redis.call('INCR', KEYS[1])", keys: ["a-set"]), prefix: "WRONGTYPE")
        await assertServerError(try await client.eval("syntax error here"), prefix: "ERR")
        expect(try await client.send(["PING"]), .simpleString("PONG"), "the connection is fine after errors")
    }

    /// A command that gets no reply in time fails with `.timeout`; its late reply does not shift
    /// the replies of the commands behind it.
    func testCommandTimeout() async throws {
        let client = makeClient(commandTimeout: 0.5)
        expect(try await client.send(["PING"]), .simpleString("PONG"))
        let started = Date()
        do {
            _ = try await client.send(["DEBUG", "SLEEP", "4"])
            XCTFail("DEBUG SLEEP 4 answered within 0.5 s")
        } catch let error as RedisError {
            XCTAssertEqual(error, .timeout)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 3.9, "failed before the reply came")
        // Queued behind the sleep on the same connection: it gets its own reply, not DEBUG's +OK.
        expect(try await client.send(["ECHO", "after"], timeout: 60), .bulk("after"))
        XCTAssertTrue(client.isConnected)
    }

    /// Nothing listens: commands fail with `.notConnected` at their deadline, never hang.
    func testNoServerFailsWithinTheTimeout() async throws {
        let port = try RedisServerProcess.freePort()
        let client = RedisClient(configuration: RedisTestSupport.configuration(port: port, commandTimeout: 0.5),
                                 logger: RedisTestSupport.logger())
        clients.append(client)
        let started = Date()
        do {
            _ = try await client.send(["PING"])
            XCTFail("PING answered with nothing listening")
        } catch let error as RedisError {
            guard case .notConnected(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertFalse(reason.isEmpty)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertFalse(client.isConnected)
    }

    func testClosedClientRefusesCommands() async throws {
        let client = makeClient()
        expect(try await client.send(["PING"]), .simpleString("PONG"))
        await client.close()
        XCTAssertFalse(client.isConnected)
        do {
            _ = try await client.send(["PING"])
            XCTFail("closed client sent a command")
        } catch let error as RedisError {
            XCTAssertEqual(error, .clientClosed)
        }
    }

    func testSelectDatabase() async throws {
        let zero = makeClient()
        let three = makeClient(database: 3)
        try await zero.set("where", "db0")
        try await three.set("where", "db3")
        expect(try await zero.getString("where"), "db0")
        expect(try await three.getString("where"), "db3")
        let info = try await three.send(["CLIENT", "INFO"]).stringValue ?? ""
        XCTAssertTrue(info.contains("db=3"), info)
    }

    private func assertServerError(
        _ expression: @autoclosure () async throws -> some Any, prefix: String,
        file: StaticString = #filePath, line: UInt = #line
    ) async {
        do {
            _ = try await expression()
            XCTFail("no error", file: file, line: line)
        } catch RedisError.server(let message) {
            XCTAssertTrue(message.hasPrefix(prefix), message, file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }
}
