import Foundation
import XCTest
@testable import Redis

/// redis-server is killed (SIGKILL) and started again on the same port: commands in flight fail at
/// once, commands succeed again once it is back, `onConnect` runs again and the subscriber
/// receives messages again without being told to re-subscribe.
final class RedisRestartTests: XCTestCase {
    func testClientAndSubscriberSurviveARestart() async throws {
        let server = try RedisServerProcess()
        let configuration = RedisTestSupport.configuration(port: server.port, commandTimeout: 10)
        let client = RedisClient(configuration: configuration, logger: RedisTestSupport.logger())
        let observer = RedisClient(configuration: configuration, logger: RedisTestSupport.logger())
        let subscriber = RedisSubscriber(configuration: configuration, logger: RedisTestSupport.logger())
        let connects = Counter()
        client.onConnect { [weak client] in
            connects.increment()
            _ = try? await client?.set("node:alive", "yes")
        }
        client.start()

        let registered = await RedisTestSupport.waitUntil { (try? await observer.getString("node:alive")) == "yes" }
        XCTAssertTrue(registered, "onConnect ran on the first connect")
        XCTAssertEqual(connects.value, 1)
        let messages = MessageCollector(try await subscriber.subscribe("room:1"))
        expect(try await client.publish("room:1", "before"), 1)
        let deliveredBefore = await RedisTestSupport.waitUntil { messages.messages == ["before"] }
        XCTAssertTrue(deliveredBefore)

        // A command in flight (BLPOP blocks only its own connection) when the server dies.
        let inFlight = Task { try await client.send(["BLPOP", "never-pushed", "0"], timeout: 120) }
        let blocked = await RedisTestSupport.waitUntil {
            let clients = (try? await observer.send(["CLIENT", "LIST"]).stringValue) ?? ""
            return clients.contains("cmd=blpop")
        }
        XCTAssertTrue(blocked, "BLPOP reached the server")
        let crashed = Date()
        server.stop() // SIGKILL: the connections just break
        do {
            _ = try await inFlight.value
            XCTFail("BLPOP answered")
        } catch let error as RedisError {
            XCTAssertEqual(error, .connectionClosed)
        }
        XCTAssertLessThan(Date().timeIntervalSince(crashed), 10, "failed at once, not at its 120 s timeout")
        let down = await RedisTestSupport.waitUntil { !client.isConnected && !subscriber.isConnected }
        XCTAssertTrue(down)

        // While the server is down a command fails at its deadline, without hanging.
        do {
            _ = try await client.send(["PING"], timeout: 0.5)
            XCTFail("PING answered while the server is down")
        } catch let error as RedisError {
            guard case .notConnected = error else { return XCTFail("\(error)") }
        }

        try server.start()
        let back = await RedisTestSupport.waitUntil { (try? await client.send(["PING"], timeout: 2)) == .simpleString("PONG") }
        XCTAssertTrue(back, "commands succeed once Redis is back")
        XCTAssertTrue(client.isConnected)
        let reregistered = await RedisTestSupport.waitUntil { (try? await observer.getString("node:alive")) == "yes" }
        XCTAssertTrue(reregistered, "onConnect put the state back (the restarted server started empty)")
        XCTAssertEqual(connects.value, 2)

        let resubscribed = await RedisTestSupport.waitUntil { ((try? await client.publish("room:1", "after")) ?? 0) >= 1 }
        XCTAssertTrue(resubscribed, "the subscriber subscribed again by itself")
        let deliveredAfter = await RedisTestSupport.waitUntil { messages.messages.contains("after") }
        XCTAssertTrue(deliveredAfter, "\(messages.messages)")
        XCTAssertTrue(subscriber.isConnected)

        messages.cancel()
        await subscriber.close()
        await observer.close()
        await client.close()
        server.stop()
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
