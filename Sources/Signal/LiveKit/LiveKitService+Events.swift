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
