import NIOCore
import NIOPosix

/// What other threads hold of the media loop: its event loop, its thread group, and the
/// `MediaLoop` itself bound to that loop. `MediaLoop` is not `Sendable` (its port, peers and
/// senders live on its one thread, without locks); this handle is, and reaching the loop
/// through it anywhere but on that thread traps (`NIOLoopBoundBox`), so the compiler and the
/// runtime both check the confinement. Only the runner and the signalling come through here,
/// a few times per participant; the media path runs on the loop and never does.
struct MediaLoopHandle: Sendable {
    let eventLoop: EventLoop
    private let group: MultiThreadedEventLoopGroup
    private let bound: NIOLoopBoundBox<MediaLoop>

    /// Takes the loop over (made off its thread, it is only ever touched on it from then on).
    init(_ loop: sending MediaLoop) {
        eventLoop = loop.eventLoop
        group = loop.group
        bound = NIOLoopBoundBox.makeBoxSendingValue(loop, eventLoop: eventLoop)
    }

    /// Runs `body` on the loop and hands back what it returns.
    func submit<T: Sendable>(_ body: @escaping @Sendable (MediaLoop) throws -> T) -> EventLoopFuture<T> {
        let bound = bound
        return eventLoop.submit { try body(bound.value) }
    }

    /// Runs `body` on the loop without waiting.
    func execute(_ body: @escaping @Sendable (MediaLoop) -> Void) {
        let bound = bound
        eventLoop.execute { body(bound.value) }
    }

    /// Stops the loop's thread (after the timers are stopped and the peers closed).
    func shutdown() async {
        try? await group.shutdownGracefully()
    }
}
