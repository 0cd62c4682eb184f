import XCTest
@testable import Redis

/// `RedisSubscriber` against a real redis-server, messages published through a `RedisClient`.
final class RedisSubscriberTests: XCTestCase {
    private var server: RedisServerProcess!
    private var client: RedisClient!
    private var subscriber: RedisSubscriber!
    private var collectors: [MessageCollector] = []

    override func setUp() async throws {
        server = try RedisServerProcess()
        let configuration = RedisTestSupport.configuration(port: server.port)
        client = RedisClient(configuration: configuration, logger: RedisTestSupport.logger())
        subscriber = RedisSubscriber(configuration: configuration, logger: RedisTestSupport.logger())
    }

    override func tearDown() async throws {
        for collector in collectors { collector.cancel() }
        collectors = []
        await subscriber?.close()
        await client?.close()
        server = nil
    }

    private func collect(_ stream: AsyncStream<[UInt8]>) -> MessageCollector {
        let collector = MessageCollector(stream)
        collectors.append(collector)
        return collector
    }

    func testDeliversMessages() async throws {
        let room = collect(try await subscriber.subscribe("room:1"))
        let other = collect(try await subscriber.subscribe("room:2"))
        XCTAssertTrue(subscriber.isConnected)
        expect(try await client.publish("room:1", "first"), 1)
        expect(try await client.publish("room:1", "second\r\nline"), 1)
        expect(try await client.publish("room:2", "elsewhere"), 1)
        let delivered = await RedisTestSupport.waitUntil { room.messages.count == 2 && other.messages.count == 1 }
        XCTAssertTrue(delivered, "\(room.messages) \(other.messages)")
        XCTAssertEqual(room.messages, ["first", "second\r\nline"])
        XCTAssertEqual(other.messages, ["elsewhere"])
    }

    func testTwoStreamsOnOneChannel() async throws {
        let first = collect(try await subscriber.subscribe("shared"))
        let second = collect(try await subscriber.subscribe("shared"))
        expect(try await client.publish("shared", "hello"), 1, "one server-side subscription")
        let delivered = await RedisTestSupport.waitUntil { first.messages == ["hello"] && second.messages == ["hello"] }
        XCTAssertTrue(delivered, "\(first.messages) \(second.messages)")
    }

    func testUnsubscribeEndsTheStreams() async throws {
        let stream = collect(try await subscriber.subscribe("room:1"))
        try await subscriber.unsubscribe("room:1")
        let ended = await RedisTestSupport.waitUntil { stream.finished }
        XCTAssertTrue(ended)
        expect(try await client.publish("room:1", "nobody"), 0)
    }

    /// Cancelling the task that iterates the stream gives the subscription up on the server.
    func testEndingTheStreamUnsubscribes() async throws {
        let stream = collect(try await subscriber.subscribe("room:1"))
        expect(try await client.publish("room:1", "one"), 1)
        stream.cancel()
        let gone = await RedisTestSupport.waitUntil { (try? await self.client.publish("room:1", "probe")) == 0 }
        XCTAssertTrue(gone)
    }

    func testBinaryPayload() async throws {
        let stream = collect(try await subscriber.subscribe("bin"))
        let payload: [UInt8] = [0, 1, 13, 10, 255]
        expect(try await client.publish("bin", payload), 1)
        let delivered = await RedisTestSupport.waitUntil { stream.payloads == [payload] }
        XCTAssertTrue(delivered, "\(stream.payloads)")
    }
}
