import XCTest
@testable import SFU

final class RoomPlacementTableTests: XCTestCase {
    func testNewRoomsGoToTheLeastLoadedShard() {
        var table = RoomPlacementTable(shardCount: 3)
        let shards = ["a", "b", "c", "d", "e", "f"].map { table.acquire($0, create: true)! }
        XCTAssertEqual(shards, [0, 1, 2, 0, 1, 2])
        XCTAssertEqual(table.roomsPerShard, [2, 2, 2])
    }

    func testARoomKeepsItsShard() {
        var table = RoomPlacementTable(shardCount: 2)
        XCTAssertEqual(table.acquire("a", create: true), 0)
        XCTAssertEqual(table.acquire("b", create: true), 1)
        XCTAssertEqual(table.acquire("a", create: true), 0)
        XCTAssertEqual(table.acquire("a", create: false), 0)
        XCTAssertEqual(table.roomsPerShard, [1, 1])
    }

    func testLookupWithoutCreateDoesNotPlace() {
        var table = RoomPlacementTable(shardCount: 2)
        XCTAssertNil(table.acquire("ghost", create: false))
        XCTAssertNil(table.shard(of: "ghost"))
        XCTAssertEqual(table.roomsPerShard, [0, 0])
    }

    func testAPendingOperationKeepsTheEntryUntilReleased() {
        var table = RoomPlacementTable(shardCount: 2)
        XCTAssertEqual(table.acquire("a", create: true), 0)
        // The join has not reached the shard yet: the room is not hosted, but must stay placed.
        XCTAssertEqual(table.collect(shard: 0) { _ in false }, [])
        table.release("a")
        XCTAssertEqual(table.collect(shard: 0) { _ in true }, [], "a hosted room stays placed")
        XCTAssertEqual(table.collect(shard: 0) { _ in false }, ["a"])
        XCTAssertNil(table.shard(of: "a"))
        XCTAssertEqual(table.roomsPerShard, [0, 0])
        // Placed afresh on the least-loaded shard.
        XCTAssertEqual(table.acquire("b", create: true), 0)
        XCTAssertEqual(table.acquire("a", create: true), 1)
    }

    func testCollectOnlyTouchesItsShard() {
        var table = RoomPlacementTable(shardCount: 2)
        _ = table.acquire("a", create: true)
        _ = table.acquire("b", create: true)
        table.release("a")
        table.release("b")
        XCTAssertEqual(table.collect(shard: 1) { _ in false }, ["b"])
        XCTAssertEqual(table.shard(of: "a"), 0)
    }

    func testReleaseIsBoundedByAcquires() {
        var table = RoomPlacementTable(shardCount: 1)
        _ = table.acquire("a", create: true)
        table.release("a")
        table.release("a")
        table.release("unknown")
        XCTAssertEqual(table.entries["a"]?.pending, 0)
    }
}
