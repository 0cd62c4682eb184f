import Foundation
import SFU

/// A LiveKit room on the media loop: its participants by SID and identity, and the `Room`
/// message the SDKs see. Media lives in the SFU's `Room` of the same name.
final class LiveKitRoom {
    let sid = Identifier.room()
    let name: String
    let createdAt = Date()
    var metadata = ""
    var emptyTimeout: UInt32 = 300
    var departureTimeout: UInt32 = 20
    var maxParticipants: UInt32 = 0
    private(set) var participants: [String: LiveKitParticipant] = [:]
    var speakers = ActiveSpeakerDetector()
    var lastSpeakers: Set<String> = []
    /// Monotonic time of creation and of the last departure (for empty/departure timeouts).
    let createdAtMonotonic = MediaEngine.now()
    var lastDepartureAt: Double?
    /// Agents to dispatch when the room starts (CreateRoom.agents or the first joiner's roomConfig).
    var agents: [Livekit_RoomAgentDispatch] = []
    var agentsDispatched = false
    /// Dispatches made for this room, by id.
    var dispatches: [String: Livekit_AgentDispatch] = [:]
    var hasHadParticipants = false
    /// Recorders (egress) following this room's tracks.
    var recorders: [RecorderAttachment] = []

    init(name: String, defaults: RoomDefaults) {
        self.name = name
        emptyTimeout = defaults.emptyTimeout
        departureTimeout = defaults.departureTimeout
        maxParticipants = defaults.maxParticipants
    }

    var info: Livekit_Room {
        var room = Livekit_Room()
        room.sid = sid
        room.name = name
        room.metadata = metadata
        room.emptyTimeout = emptyTimeout
        room.departureTimeout = departureTimeout
        room.maxParticipants = maxParticipants
        room.creationTime = Int64(createdAt.timeIntervalSince1970)
        room.creationTimeMs = Int64(createdAt.timeIntervalSince1970 * 1000)
        room.numParticipants = UInt32(participants.values.filter { !$0.isHidden }.count)
        room.numPublishers = UInt32(participants.values.filter { $0.isPublisher }.count)
        return room
    }

    var allParticipants: [LiveKitParticipant] { Array(participants.values) }

    func participant(identity: String) -> LiveKitParticipant? {
        participants.values.first { $0.identity == identity }
    }

    func participant(sid: String) -> LiveKitParticipant? { participants[sid] }

    func add(_ participant: LiveKitParticipant) {
        participants[participant.sid] = participant
        hasHadParticipants = true
        lastDepartureAt = nil
    }

    func remove(_ participant: LiveKitParticipant) {
        participants[participant.sid] = nil
        if participants.isEmpty { lastDepartureAt = MediaEngine.now() }
    }

    /// An empty room closes `departureTimeout` after its last participant left, or
    /// `emptyTimeout` after creation if nobody ever joined.
    func shouldClose(now: Double) -> Bool {
        guard participants.isEmpty else { return false }
        if let left = lastDepartureAt { return now - left >= Double(departureTimeout) }
        return !hasHadParticipants && now - createdAtMonotonic >= Double(emptyTimeout)
    }

    /// Sends a message to every connected participant except `except`.
    func broadcast(_ message: Livekit_SignalResponse.OneOf_Message, except: LiveKitParticipant? = nil) {
        for participant in participants.values where participant !== except {
            participant.send(message)
        }
    }

    /// `ParticipantUpdate` with one participant's current info, to everyone else (hidden
    /// participants are not announced).
    func announce(_ participant: LiveKitParticipant) {
        guard !participant.isHidden else { return }
        var update = Livekit_ParticipantUpdate()
        update.participants = [participant.info]
        broadcast(.update(update), except: participant)
    }

    /// Every published track in the room with its owner.
    var publishedTracks: [(LiveKitParticipant, PublishedTrackState)] {
        participants.values.flatMap { owner in owner.published.values.map { (owner, $0) } }
    }
}
