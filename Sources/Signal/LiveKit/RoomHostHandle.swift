import NIOCore
import SFU

/// What other threads hold of a `RoomHost`: its shard, and the host bound to that shard's
/// loop. `RoomHost` is not `Sendable` (its rooms and participants live on the loop); reaching
/// it through `host` anywhere but on the loop traps (`NIOLoopBoundBox`).
struct RoomHostHandle: Sendable {
    let shard: MediaShardHandle
    private let bound: NIOLoopBoundBox<RoomHost>

    /// Takes the host over (made off the loop, it is only ever touched on it from then on).
    init(_ host: sending RoomHost, shard: MediaShardHandle) {
        self.shard = shard
        bound = NIOLoopBoundBox.makeBoxSendingValue(host, eventLoop: shard.eventLoop)
    }

    /// The host. On its shard's loop only.
    var host: RoomHost { bound.value }

    /// Runs `body` on the host's loop and waits for its result.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (RoomHost) throws -> T) async throws -> T {
        let bound = bound
        return try await shard.onLoop { try body(bound.value) }
    }

    /// Runs `body` on the host's loop without waiting.
    func execute(_ body: @escaping @Sendable (RoomHost) -> Void) {
        let bound = bound
        shard.eventLoop.execute { body(bound.value) }
    }
}
