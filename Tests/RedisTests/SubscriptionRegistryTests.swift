import XCTest
@testable import Redis

final class SubscriptionRegistryTests: XCTestCase {
    func testFirstSinkSubscribesLastSinkUnsubscribes() {
        var registry = SubscriptionRegistry<String>()
        let first = registry.add("s1", to: "room:1")
        let second = registry.add("s2", to: "room:1")
        XCTAssertTrue(first.isFirst)
        XCTAssertFalse(second.isFirst)
        XCTAssertNotEqual(first.id, second.id)
        XCTAssertEqual(registry.sinks(for: "room:1"), ["s1", "s2"])
        XCTAssertFalse(registry.remove(id: first.id, from: "room:1"))
        XCTAssertFalse(registry.remove(id: first.id, from: "room:1"), "removed already")
        XCTAssertTrue(registry.remove(id: second.id, from: "room:1"))
        XCTAssertEqual(registry.channels, [])
        XCTAssertTrue(registry.add("s3", to: "room:1").isFirst)
    }

    func testChannelsAreSortedForResubscription() {
        var registry = SubscriptionRegistry<Int>()
        _ = registry.add(1, to: "b")
        _ = registry.add(2, to: "a")
        _ = registry.add(3, to: "c")
        _ = registry.add(4, to: "a")
        XCTAssertEqual(registry.channels, ["a", "b", "c"])
        XCTAssertEqual(registry.sinks(for: "missing"), [])
    }

    func testRemoveChannelAndAll() {
        var registry = SubscriptionRegistry<Int>()
        _ = registry.add(1, to: "a")
        _ = registry.add(2, to: "a")
        _ = registry.add(3, to: "b")
        XCTAssertEqual(registry.removeChannel("a"), [1, 2])
        XCTAssertEqual(registry.removeChannel("a"), [])
        XCTAssertEqual(registry.channels, ["b"])
        XCTAssertEqual(registry.removeAll(), [3])
        XCTAssertEqual(registry.channels, [])
    }

    func testPubSubMessageShape() {
        let message = RESPValue.array([.bulk("message"), .bulk("room:1"), .bulkString([0, 1])])
        XCTAssertEqual(RedisPubSubMessage(message), RedisPubSubMessage(channel: "room:1", payload: [0, 1]))
        XCTAssertEqual(RedisPubSubMessage(.push([.bulk("message"), .bulk("c"), .bulk("p")]))?.channel, "c")
        XCTAssertNil(RedisPubSubMessage(.array([.bulk("subscribe"), .bulk("room:1"), .integer(1)])),
                     "a confirmation answers SUBSCRIBE; it is not a message")
        XCTAssertNil(RedisPubSubMessage(.array([.bulk("pmessage"), .bulk("r*"), .bulk("r1"), .bulk("p")])))
        XCTAssertNil(RedisPubSubMessage(.array([.bulk("message"), .bulk("c")])))
        XCTAssertNil(RedisPubSubMessage(.bulk("message")))
    }
}
