import Foundation
import SFU

extension RoomHost {
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

/// A closed room waiting for its recordings: `room_finished` follows their `egress_ended`
/// (the control plane's post-call work then finds the files), or a bounded wait.
struct FinishingRoom {
    let room: LiveKitRoom
    var recordings: Set<String>
    let deadline: Double
}

extension RoomHost {
    /// How long room_finished waits for a closed room's recordings to end and upload.
    static let recordingsFinishWait = 60.0

    func recordingEnded(_ id: String, now: Double) {
        for index in finishingRooms.indices { finishingRooms[index].recordings.remove(id) }
        finishRooms(now: now)
    }

    func finishRooms(now: Double) {
        guard !finishingRooms.isEmpty else { return }
        let (done, waiting) = finishingRooms.reduce(into: ([FinishingRoom](), [FinishingRoom]())) { split, entry in
            if entry.recordings.isEmpty || now >= entry.deadline { split.0.append(entry) } else { split.1.append(entry) }
        }
        finishingRooms = waiting
        for entry in done {
            if !entry.recordings.isEmpty {
                logger.warning("room \(entry.room.name): room_finished after \(Int(Self.recordingsFinishWait)) s without egress_ended from \(entry.recordings.sorted())")
            }
            emit("room_finished", room: entry.room)
        }
    }
}
