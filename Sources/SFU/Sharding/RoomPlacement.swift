import NIOConcurrencyHelpers

/// `RoomPlacementTable` behind a lock, shared by the shards and the signalling side. Touched
/// per join, API call and once a second per shard; never per packet.
final class RoomPlacement: Sendable {
    private let table: NIOLockedValueBox<RoomPlacementTable>

    init(shardCount: Int) { table = NIOLockedValueBox(RoomPlacementTable(shardCount: shardCount)) }

    func acquire(_ room: String, create: Bool) -> Int? { table.withLockedValue { $0.acquire(room, create: create) } }

    func release(_ room: String) { table.withLockedValue { $0.release(room) } }

    func collect(shard: Int, isHosted: (String) -> Bool) {
        table.withLockedValue { _ = $0.collect(shard: shard, isHosted: isHosted) }
    }

    func isPlaced(_ room: String) -> Bool { table.withLockedValue { $0.shard(of: room) != nil } }

    var roomsPerShard: [Int] { table.withLockedValue { $0.roomsPerShard } }

    /// Every room placed on a shard (hosted, or an operation on its way there).
    var roomNames: [String] { table.withLockedValue { Array($0.entries.keys) } }
}
