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
    /// When an audio level last arrived on one of the room's tracks (monotonic clock).
    var lastAudibleAt = -Double.infinity
    /// The rating of each participant in the last `ConnectionQualityUpdate` sent, by SID.
    var lastQualityRatings: [String: Livekit_ConnectionQuality] = [:]
    /// Who is in, for the empty and departure timeouts (monotonic clock).
    private(set) var occupancy = RoomOccupancy(createdAt: MediaEngine.now())
    /// Agents to dispatch when the room starts (CreateRoom.agents or the first joiner's roomConfig).
    var agents: [Livekit_RoomAgentDispatch] = []
    var agentsDispatched = false
    /// Dispatches made for this room, by id.
    var dispatches: [String: Livekit_AgentDispatch] = [:]
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
        room.numParticipants = UInt32(participants.values.filter { !$0.isHidden && !$0.isDependent }.count)
        room.numPublishers = UInt32(participants.values.filter { $0.isPublisher }.count)
        return room
    }

    var allParticipants: [LiveKitParticipant] { Array(participants.values) }

    func participant(identity: String) -> LiveKitParticipant? {
        participants.values.first { $0.identity == identity }
    }

    func participant(sid: String) -> LiveKitParticipant? { participants[sid] }

    /// Participants that count toward `max_participants` (not agents or recorders).
    var independentCount: Int { occupancy.independent }

    func add(_ participant: LiveKitParticipant, now: Double = MediaEngine.now()) {
        participants[participant.sid] = participant
        occupancy.joined(dependent: participant.isDependent, now: now)
    }

    func remove(_ participant: LiveKitParticipant, now: Double = MediaEngine.now()) {
        guard participants.removeValue(forKey: participant.sid) != nil else { return }
        occupancy.left(dependent: participant.isDependent, now: now)
    }

    /// Only agents and recorders (or nobody) left, for long enough (RoomOccupancy).
    func shouldClose(now: Double) -> Bool {
        occupancy.shouldClose(now: now, emptyTimeout: emptyTimeout, departureTimeout: departureTimeout)
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
