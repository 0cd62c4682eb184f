import NIOCore

/// What the runner and the signalling task hold of a participant: its plan, and the
/// participant bound to the media loop. `SimulatedParticipant` is not `Sendable` (it and its
/// peers live on the media loop); this handle is, and reaching the participant through it
/// anywhere but on the loop traps (`NIOLoopBound`). Signalling comes through here once per
/// server message, never the media path.
struct SimulatedParticipantHandle: Sendable {
    /// Immutable, so readable anywhere (the signalling needs it to open the WebSocket).
    let plan: ParticipantPlan
    private let bound: NIOLoopBound<SimulatedParticipant>

    /// On the media loop (where participants are made).
    init(_ participant: SimulatedParticipant) {
        plan = participant.plan
        bound = NIOLoopBound(participant, eventLoop: participant.loop.eventLoop)
    }

    /// Runs `body` on the media loop and hands back what it returns.
    func submit<T: Sendable>(_ body: @escaping @Sendable (SimulatedParticipant) throws -> T) -> EventLoopFuture<T> {
        let bound = bound
        return bound.eventLoop.submit { try body(bound.value) }
    }

    /// Runs `body` on the media loop without waiting.
    func execute(_ body: @escaping @Sendable (SimulatedParticipant) -> Void) {
        let bound = bound
        bound.eventLoop.execute { body(bound.value) }
    }
}
