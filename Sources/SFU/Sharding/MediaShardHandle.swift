import NIOCore

/// What other threads hold of a media shard: its index and event loop, and the shard itself
/// bound to that loop. `MediaShard` is not `Sendable` (everything in it lives on its loop);
/// this handle is, and reaching the shard through it anywhere but on the loop traps
/// (`NIOLoopBound`), so the compiler and the runtime both check what DESIGN.md promises.
public struct MediaShardHandle: Sendable {
    public let index: Int
    public let eventLoop: EventLoop
    private let bound: NIOLoopBoundBox<MediaShard>

    /// Takes the shard over (made off the loop, it is only ever touched on it from then on).
    init(_ shard: sending MediaShard, index: Int, loop: EventLoop) {
        self.index = index
        eventLoop = loop
        bound = NIOLoopBoundBox.makeBoxSendingValue(shard, eventLoop: loop)
    }

    /// The shard. On its loop only (traps elsewhere).
    public var shard: MediaShard { bound.value }

    /// Runs `body` on the shard's loop (where its rooms, peers and tracks live), then flushes
    /// whatever it queued on the socket.
    public func onLoop<T: Sendable>(_ body: sending @escaping () throws -> T) async throws -> T {
        let bound = bound
        let work = NIOLoopBoundBox.makeBoxSendingValue(body, eventLoop: eventLoop)
        return try await eventLoop.submit {
            defer { bound.value.flushSocket() }
            return try work.value()
        }.get()
    }

    /// Runs `body` on the shard's loop without waiting.
    public func execute(_ body: @escaping @Sendable (MediaShard) -> Void) {
        let bound = bound
        eventLoop.execute { body(bound.value) }
    }
}
