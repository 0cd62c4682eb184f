import Foundation
import Logging
import NIOCore
import SFU

/// The LiveKit rooms of one media shard: their participants, the join and resume flows, and
/// every `SignalRequest`. All its state lives on the shard's loop; `LiveKitService` routes
/// each call to the host of the call's room and runs it there. Not `Sendable`: other threads
/// hold a `RoomHostHandle`.
final class RoomHost {
    let shard: MediaShardHandle
    let logger: Logger
    let keys: [String: String]
    let defaults: RoomDefaults
    /// `[limits]`: what one participant may send, and the node's count of refusals.
    let limits: ParticipantLimits
    let rateLimited: RateLimitCounters
    /// `[turn]`: relays whose credentials each join and resume carries (nil: none configured).
    let turn: TURNRelays?
    var rooms: [String: LiveKitRoom] = [:]
    /// Webhook-style events (room_started, participant_joined, …), in order per room, on the
    /// shard's loop. Set once at start-up, before the server takes connections.
    var onEvent: (@Sendable (Livekit_WebhookEvent) -> Void)?
    /// Agent workers and their jobs, shared by every host.
    let agents: AgentHub
    /// Shared with every host: set when the node drains.
    let drain: DrainFlag
    /// Closed rooms whose room_finished waits for their recordings' egress_ended.
    var finishingRooms: [FinishingRoom] = []
    private var ticker: RepeatedTask?
    private var tickCount = 0
    /// A participant whose socket dropped is kept this long for a resume.
    static let resumeWindow = 20.0
    static let pingInterval: Int32 = 5
    static let pingTimeout: Int32 = 15

    init(shard: MediaShardHandle, agents: AgentHub, drain: DrainFlag, keys: [String: String], defaults: RoomDefaults,
         limits: ParticipantLimits, rateLimited: RateLimitCounters, turn: TURNRelays?, logger: Logger) {
        self.shard = shard
        self.turn = turn
        self.limits = limits
        self.rateLimited = rateLimited
        self.agents = agents
        self.drain = drain
        self.keys = keys
        self.defaults = defaults
        self.logger = logger
    }

    /// Starts the host's timer; the first host also runs the agent dispatcher's.
    /// On the loop.
    func start(ticksAgents: Bool) {
        self.ticksAgents = ticksAgents
        shard.shard.addRoomHolder { [unowned self] name in self.rooms[name] != nil }
        let host = NIOLoopBound(self, eventLoop: shard.eventLoop)
        ticker = shard.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { _ in
            host.value.tick()
        }
    }

    /// On the loop.
    func stop() { ticker?.cancel() }
    private var ticksAgents = false

    typealias Session = LiveKitService.Session
    typealias JoinError = LiveKitService.JoinError

    /// Joins (or resumes) a participant into `roomName`, on the shard's loop; the first
    /// message in `sink` is the JoinResponse (or ReconnectResponse).
    func join(room roomName: String, claims: AccessTokenClaims, parameters: JoinParameters, sink: SignalSink) throws -> Session {
        shard.eventLoop.preconditionInEventLoop()
        let now = MediaEngine.now()
        let isNewRoom = rooms[roomName] == nil
        if isNewRoom, drain.isDraining { throw JoinError.refused("node is draining: room \(roomName) cannot be created here") }
        let room = obtainRoom(roomName)
        if isNewRoom, let config = claims.roomConfig {
            // The token's roomConfig applies when this join creates the room (PROTOCOL.md §7).
            if config.emptyTimeout > 0 { room.emptyTimeout = config.emptyTimeout }
            if config.departureTimeout > 0 { room.departureTimeout = config.departureTimeout }
            if config.maxParticipants > 0 { room.maxParticipants = config.maxParticipants }
            if !config.metadata.isEmpty { room.metadata = config.metadata }
            room.agents = config.agents.map { agent in
                var dispatch = Livekit_RoomAgentDispatch()
                dispatch.agentName = agent.agentName
                dispatch.metadata = agent.metadata
                return dispatch
            }
        }
        if parameters.reconnect, let sid = parameters.participantSID {
            if let participant = room.participant(sid: sid), participant.identity == claims.identity,
               participant.isSinglePeer == parameters.singlePeerConnection {
                let session = resume(participant, sink: sink, now: now)
                if let offer = parameters.publisherOffer { handlePublisherOffer(offer, from: participant, now: now) }
                return session
            }
            // Nothing to resume: tell the client to join afresh.
            var leave = Livekit_LeaveRequest()
            leave.canReconnect = true
            leave.action = .reconnect
            leave.reason = .stateMismatch
            sink.send(.leave(leave))
            sink.finish()
            throw JoinError.refused("no participant \(sid) to resume in \(roomName)")
        }
        let existing = room.participant(identity: claims.identity)
        let dependent = LiveKitParticipant.isDependent(kind: LiveKitParticipant.kind(claims.kind),
                                                       permission: LiveKitParticipant.permission(claims))
        let others = room.independentCount - (existing.map { $0.isDependent ? 0 : 1 } ?? 0)
        if room.maxParticipants > 0, !dependent, others >= Int(room.maxParticipants) {
            // The WebSocket closes with this reason (the SDKs then report the join failure).
            throw JoinError.refused("room \(roomName) is full")
        }
        if let existing {
            // LiveKit: a second join with the same identity replaces the first.
            var leave = Livekit_LeaveRequest()
            leave.reason = .duplicateIdentity
            existing.send(.leave(leave))
            removeParticipant(existing, now: now)
        }
        let placeholder = PeerObserverProxy()
        let subscriberPC = try shard.shard.makePeerConnection(room: roomName, observer: placeholder)
        let participant = LiveKitParticipant(identity: claims.identity, claims: claims, clientProtocol: parameters.clientProtocol,
                                             autoSubscribe: parameters.autoSubscribe, room: room, service: self,
                                             sink: sink, subscriber: subscriberPC)
        placeholder.participant = participant
        participant.observerProxy = placeholder
        if parameters.singlePeerConnection {
            // One PC, offered by the client: its data channels, its sections for what we send.
            subscriberPC.sendInAnswers()
            participant.publisher = subscriberPC
        } else {
            subscriberPC.offerDataChannels([("_reliable", true), ("_lossy", false)])
        }

        var join = Livekit_JoinResponse()
        join.room = room.info
        join.participant = participant.info
        join.otherParticipants = room.allParticipants.filter { !$0.isHidden }.map(\.info)
        join.serverVersion = ServerIdentity.version
        join.serverInfo = ServerIdentity.info
        join.subscriberPrimary = !parameters.singlePeerConnection
        join.pingInterval = Self.pingInterval
        join.pingTimeout = Self.pingTimeout
        join.fastPublish = false
        if let turn { join.iceServers = turn.iceServers(identity: claims.identity, now: Date()) }
        sink.send(.join(join))
        room.add(participant)
        room.announce(participant)
        logger.info("room \(roomName): \(claims.identity) joined as \(participant.sid)")
        emit("participant_joined", room: room, participant: participant)
        startRoomAgents(room, now: now)
        dispatchParticipantJob(room, participant: participant, now: now)
        sendRefreshToken(participant)
        if participant.autoSubscribe, participant.permission.canSubscribe {
            for (owner, track) in room.publishedTracks where owner !== participant && track.media != nil {
                subscribe(participant, to: track, owner: owner, now: now)
            }
        }
        if parameters.singlePeerConnection {
            // The join carries the client's first offer (and maybe tracks): answer it now, with
            // the existing tracks already on its receive-only sections.
            for add in parameters.addTrackRequests { handleAddTrack(add, from: participant) }
            if let offer = parameters.publisherOffer { handlePublisherOffer(offer, from: participant, now: now) }
        }
        negotiateSubscriber(participant)
        return Session(roomName: roomName, participantSID: participant.sid)
    }

    private func resume(_ participant: LiveKitParticipant, sink: SignalSink, now: Double) -> Session {
        participant.attach(sink)
        var reconnect = Livekit_ReconnectResponse()
        reconnect.serverInfo = ServerIdentity.info
        if let turn { reconnect.iceServers = turn.iceServers(identity: participant.identity, now: Date()) }
        sink.send(.reconnect(reconnect))
        logger.info("room \(participant.room.name): \(participant.identity) resumed")
        // Our side of the subscriber ICE restart; the client restarts the publisher PC itself
        // (with a single peer connection, that is all there is).
        participant.awaitingAnswer = false
        participant.awaitingOfferSince = nil
        negotiateSubscriber(participant, iceRestart: true)
        return Session(roomName: participant.room.name, participantSID: participant.sid)
    }

    /// The WebSocket closed. Without a leave the participant may resume for a while.
    func connectionClosed(_ session: Session, sink: SignalSink) {
        guard let participant = rooms[session.roomName]?.participant(sid: session.participantSID),
              participant.sink === sink else { return }
        participant.detachSocket(now: MediaEngine.now())
    }

    /// Handles one decoded request from the participant's socket. Over `[limits]`
    /// `signal_requests_per_second` it is dropped and counted; pings and leaves always pass,
    /// and metadata updates have their own limit (answered, in `handleMetadataUpdate`).
    func handle(_ request: Livekit_SignalRequest, session: Session) {
        guard let participant = rooms[session.roomName]?.participant(sid: session.participantSID) else { return }
        switch request.message {
        case .ping, .pingReq, .leave, .updateMetadata, nil:
            break
        default:
            guard withinLimit(\.signal, counted: .signal, for: participant) else { return }
        }
        handle(request, from: participant)
    }

    func room(_ name: String) -> LiveKitRoom? { rooms[name] }

    /// Removes a participant: closes its media, tells the others, drops the room when empty.
    func removeParticipant(_ participant: LiveKitParticipant, now: Double) {
        let room = participant.room
        guard room.participant(sid: participant.sid) === participant else { return }
        room.remove(participant)
        for track in participant.published.values where track.media != nil {
            emit("track_unpublished", room: room, participant: participant, track: track.info)
        }
        for track in participant.published.values {
            for other in room.allParticipants { unsubscribe(other, from: track.sid, now: now) }
        }
        participant.close(now: now)
        var info = participant.info
        info.state = .disconnected
        var update = Livekit_ParticipantUpdate()
        update.participants = [info]
        if !participant.isHidden { room.broadcast(.update(update)) }
        room.speakers.remove(participant: participant.sid)
        syncRecorders(room, now: now)
        for other in room.allParticipants { negotiateSubscriber(other) }
        logger.info("room \(room.name): \(participant.identity) left")
        emit("participant_left", room: room, participant: info)
    }

    /// The room for `name`, created (room_started) if needed.
    func obtainRoom(_ name: String) -> LiveKitRoom {
        if let room = rooms[name] { return room }
        let room = LiveKitRoom(name: name, defaults: defaults)
        rooms[name] = room
        logger.info("room \(name) created (\(room.sid))")
        emit("room_started", room: room)
        return room
    }

    /// Closes a room: everyone is told to leave, agent jobs end, room_finished is emitted.
    func closeRoom(_ room: LiveKitRoom, reason: Livekit_DisconnectReason, now: Double) {
        guard rooms[room.name] === room else { return }
        for participant in room.allParticipants {
            var leave = Livekit_LeaveRequest()
            leave.reason = reason
            participant.send(.leave(leave))
            removeParticipant(participant, now: now)
        }
        cancelAgentJobs(room: room.name, now: now)
        let recordings = Set(room.recorders.map(\.recorder.recordingID))
        for attachment in room.recorders { attachment.recorder.roomFinished() }
        room.recorders = []
        rooms[room.name] = nil
        logger.info("room \(room.name) closed")
        if recordings.isEmpty {
            emit("room_finished", room: room)
        } else {
            // Its recordings end (and upload) first, so room_finished finds them complete.
            finishingRooms.append(FinishingRoom(room: room, recordings: recordings, deadline: now + Self.recordingsFinishWait))
        }
    }

    private func tick() {
        tickCount &+= 1
        let now = MediaEngine.now()
        if ticksAgents, tickCount % 2 == 0 { tickAgents(now: now) }
        finishRooms(now: now)
        let audible = shard.shard.roomsWithFreshAudioLevels()
        for room in Array(rooms.values) {
            // Collected first (removing mutates the room); an empty array does not allocate.
            var expired: [LiveKitParticipant] = []
            for participant in room.participants.values {
                if let since = participant.disconnectedAt, now - since > Self.resumeWindow { expired.append(participant) }
            }
            for participant in expired {
                logger.info("room \(room.name): \(participant.identity) did not resume")
                removeParticipant(participant, now: now)
            }
            if room.shouldClose(now: now) {
                closeRoom(room, reason: .roomClosed, now: now)
                continue
            }
            for participant in room.participants.values where participant.awaitingOfferSince != nil {
                retryClientOffer(participant, now: now)
            }
            // Speaker detection runs where audio arrived within the detector's window (plus a
            // tick), or someone still counts as speaking; a quiet room costs nothing here.
            if audible.contains(room.name) { room.lastAudibleAt = now }
            if now - room.lastAudibleAt <= room.speakers.window + 0.25 || !room.lastSpeakers.isEmpty {
                updateSpeakers(room, now: now)
            }
            if tickCount % 8 == 0 { updateConnectionQuality(room, now: now) }
            if tickCount % 240 == 0 {
                for participant in room.allParticipants where participant.tokenExpiry.timeIntervalSinceNow < 300 {
                    sendRefreshToken(participant)
                }
            }
        }
    }
}

/// Forwards peer connection events to the participant (which is created after its
/// subscriber PC).
final class PeerObserverProxy: PeerConnectionObserver {
    weak var participant: LiveKitParticipant?

    func peerConnection(_ peer: PeerConnection, didClose reason: String) {
        participant?.peerConnectionClosed(peer, reason: reason)
    }

    func peerConnection(_ peer: PeerConnection, didReceiveData data: [UInt8], binary: Bool, label: String) {
        participant?.receivedData(data, label: label)
    }
}
