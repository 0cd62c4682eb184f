import Foundation

extension LiveKitService {
    /// Emits a LiveKit webhook event (PROTOCOL.md §9) with a unique `EV_` id.
    func emit(_ name: String, room: LiveKitRoom, participant: LiveKitParticipant? = nil, track: Livekit_TrackInfo? = nil) {
        emit(name, room: room, participant: participant?.info, track: track)
    }

    func emit(_ name: String, room: LiveKitRoom, participant: Livekit_ParticipantInfo?, track: Livekit_TrackInfo? = nil) {
        guard let onEvent else { return }
        var event = Livekit_WebhookEvent()
        event.event = name
        event.room = room.info
        if let participant { event.participant = participant }
        if let track { event.track = track }
        event.id = Identifier.make("EV_")
        event.createdAt = Int64(Date().timeIntervalSince1970)
        onEvent(event)
    }
}

extension LiveKitService {
    /// egress_started / egress_updated / egress_ended (PROTOCOL.md §9), in order with the
    /// room events. Thread-safe.
    public func emitEgressEvent(_ name: String, info: Livekit_EgressInfo) {
        guard let onEvent else { return }
        var event = Livekit_WebhookEvent()
        event.event = name
        event.egressInfo = info
        event.room.name = info.roomName
        event.id = Identifier.make("EV_")
        event.createdAt = Int64(Date().timeIntervalSince1970)
        onEvent(event)
    }
}
