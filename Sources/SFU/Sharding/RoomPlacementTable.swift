/// Which media shard hosts each room (DESIGN.md "Media shards"). A room lives on exactly one
/// shard, so everything on its packet path stays on one event loop without locks; this table
/// is the only state the shards share, and it is touched per join or API call, never per
/// packet. Pure state: `RoomPlacement` puts it behind a lock.
///
/// An entry lives while its room is hosted or an operation routed to it is still pending, so
/// a join racing a room's close lands on the shard where the room is (re)created, and two
/// shards never host the same name.
struct RoomPlacementTable {
    struct Entry: Equatable {
        var shard: Int
        /// Operations routed here that have not finished on the shard yet.
        var pending: Int
    }

    let shardCount: Int
    private(set) var entries: [String: Entry] = [:]
    /// Rooms placed on each shard (the load measure for placement).
    private(set) var roomsPerShard: [Int]

    init(shardCount: Int) {
        precondition(shardCount > 0)
        self.shardCount = shardCount
        roomsPerShard = Array(repeating: 0, count: shardCount)
    }

    /// The shard of `room`, placed on the least-loaded shard if it has none and `create` is
    /// set; nil if it has none and must not be created. Counts one pending operation.
    mutating func acquire(_ room: String, create: Bool) -> Int? {
        if var entry = entries[room] {
            entry.pending += 1
            entries[room] = entry
            return entry.shard
        }
        guard create else { return nil }
        var best = 0
        for index in 1..<shardCount where roomsPerShard[index] < roomsPerShard[best] { best = index }
        entries[room] = Entry(shard: best, pending: 1)
        roomsPerShard[best] += 1
        return best
    }

    /// An operation routed by `acquire` finished on its shard.
    mutating func release(_ room: String) {
        guard var entry = entries[room], entry.pending > 0 else { return }
        entry.pending -= 1
        entries[room] = entry
    }

    /// Drops the entries of `shard` that no operation is using and whose room the shard no
    /// longer hosts. Returns the names dropped.
    @discardableResult
    mutating func collect(shard: Int, isHosted: (String) -> Bool) -> [String] {
        var dropped: [String] = []
        for (name, entry) in entries where entry.shard == shard && entry.pending == 0 && !isHosted(name) {
            dropped.append(name)
        }
        for name in dropped {
            entries[name] = nil
            roomsPerShard[shard] -= 1
        }
        return dropped
    }

    func shard(of room: String) -> Int? { entries[room]?.shard }
}
