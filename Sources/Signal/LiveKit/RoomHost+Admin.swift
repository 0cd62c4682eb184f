import Foundation
import SFU

/// Errors of the server API, mapped to Twirp codes by the HTTP layer.
public enum AdminError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case invalidArgument(String)
    case permissionDenied(String)
    /// The node cannot take this now (it is draining); another node can.
    case unavailable(String)

    public var description: String {
        switch self {
        case .notFound(let why), .invalidArgument(let why), .permissionDenied(let why), .unavailable(let why): return why
        }
    }
}

/// RoomService and AgentDispatchService operations (PROTOCOL.md §8), on the host's loop.
extension RoomHost {
    /// Runs on the host's loop; `LiveKitService` routes each call to its room's host.
    private func admin<T>(_ body: () throws -> T) rethrows -> T {
        shard.eventLoop.preconditionInEventLoop()
        return try body()
    }

    private func existingRoom(_ name: String) throws -> LiveKitRoom {
        guard let room = rooms[name] else { throw AdminError.notFound("room \(name) does not exist") }
        return room
    }

    private func existingParticipant(_ roomName: String, _ identity: String) throws -> LiveKitParticipant {
        guard let participant = try existingRoom(roomName).participant(identity: identity) else {
            throw AdminError.notFound("participant \(identity) is not in room \(roomName)")
        }
        return participant
    }

    func createRoom(_ request: Livekit_CreateRoomRequest) throws -> Livekit_Room {
        guard !request.name.isEmpty else { throw AdminError.invalidArgument("room name is required") }
        return try admin {
            let existed = self.rooms[request.name] != nil
            try self.refuseNewRoomWhileDraining(request.name)
            let room = self.obtainRoom(request.name)
            if !existed {
                if request.emptyTimeout > 0 { room.emptyTimeout = request.emptyTimeout }
                if request.departureTimeout > 0 { room.departureTimeout = request.departureTimeout }
                if request.maxParticipants > 0 { room.maxParticipants = request.maxParticipants }
                room.metadata = request.metadata
                room.agents = request.agents
                if !room.agents.isEmpty { self.startRoomAgents(room, now: MediaEngine.now()) }
            }
            return room.info
        }
    }

    func listRooms(names: [String]) throws -> [Livekit_Room] {
        try admin {
            self.rooms.values.filter { names.isEmpty || names.contains($0.name) }
                .sorted { $0.createdAt < $1.createdAt }.map(\.info)
        }
    }

    func deleteRoom(_ name: String) throws {
        try admin {
            let room = try self.existingRoom(name)
            self.closeRoom(room, reason: .roomDeleted, now: MediaEngine.now())
        }
    }

    func listParticipants(room name: String) throws -> [Livekit_ParticipantInfo] {
        try admin { try self.existingRoom(name).allParticipants.sorted { $0.joinedAt < $1.joinedAt }.map(\.info) }
    }

    func participant(room name: String, identity: String) throws -> Livekit_ParticipantInfo {
        try admin { try self.existingParticipant(name, identity).info }
    }

    func removeParticipant(room name: String, identity: String) throws {
        try admin {
            let participant = try self.existingParticipant(name, identity)
            var leave = Livekit_LeaveRequest()
            leave.reason = .participantRemoved
            participant.send(.leave(leave))
            self.removeParticipant(participant, now: MediaEngine.now())
        }
    }

    /// Server-side mute: the track stops being forwarded and the publisher is told to mute.
    func mutePublishedTrack(room name: String, identity: String, trackSID: String, muted: Bool) throws -> Livekit_TrackInfo {
        try admin {
            let participant = try self.existingParticipant(name, identity)
            guard let track = participant.published[trackSID] else { throw AdminError.notFound("track \(trackSID) not found") }
            track.info.muted = muted
            track.media?.isMuted = muted
            var mute = Livekit_MuteTrackRequest()
            mute.sid = trackSID
            mute.muted = muted
            participant.send(.mute(mute))
            participant.version += 1
            participant.room.announce(participant)
            return track.info
        }
    }

    func updateParticipant(_ request: Livekit_UpdateParticipantRequest) throws -> Livekit_ParticipantInfo {
        try admin {
            let participant = try self.existingParticipant(request.room, request.identity)
            if !request.metadata.isEmpty { participant.metadata = request.metadata }
            if !request.name.isEmpty { participant.name = request.name }
            for (key, value) in request.attributes {
                if value.isEmpty { participant.attributes[key] = nil } else { participant.attributes[key] = value }
            }
            if request.hasPermission { participant.permission = request.permission }
            participant.version += 1
            var update = Livekit_ParticipantUpdate()
            update.participants = [participant.info]
            participant.room.broadcast(.update(update))
            return participant.info
        }
    }

    func updateSubscriptions(_ request: Livekit_UpdateSubscriptionsRequest) throws {
        try admin {
            let participant = try self.existingParticipant(request.room, request.identity)
            var subscription = Livekit_UpdateSubscription()
            subscription.trackSids = request.trackSids
            subscription.subscribe = request.subscribe
            subscription.participantTracks = request.participantTracks
            var signal = Livekit_SignalRequest()
            signal.subscription = subscription
            self.handle(signal, from: participant)
        }
    }

    /// Data from the server (no sender identity) to the room or to named participants.
    func sendData(_ request: Livekit_SendDataRequest) throws {
        try admin {
            let room = try self.existingRoom(request.room)
            var user = Livekit_UserPacket()
            user.payload = request.data
            if request.hasTopic { user.topic = request.topic }
            user.destinationIdentities = request.destinationIdentities
            user.nonce = request.nonce
            var packet = Livekit_DataPacket()
            packet.kind = request.kind
            packet.destinationIdentities = request.destinationIdentities
            packet.user = user
            let bytes: [UInt8] = try packet.serializedBytes()
            let label = request.kind == .lossy ? "_lossy" : "_reliable"
            let identities = Set(request.destinationIdentities)
            let sids = Set(request.destinationSids)
            for participant in room.allParticipants {
                if !identities.isEmpty || !sids.isEmpty {
                    guard identities.contains(participant.identity) || sids.contains(participant.sid) else { continue }
                }
                participant.subscriber.sendData(bytes, label: label, reliable: label == "_reliable")
            }
        }
    }

    func updateRoomMetadata(room name: String, metadata: String) throws -> Livekit_Room {
        try admin {
            let room = try self.existingRoom(name)
            room.metadata = metadata
            var update = Livekit_RoomUpdate()
            update.room = room.info
            room.broadcast(.roomUpdate(update))
            return room.info
        }
    }

    // MARK: AgentDispatchService

    func createDispatch(_ request: Livekit_CreateAgentDispatchRequest) throws -> Livekit_AgentDispatch {
        guard !request.room.isEmpty else { throw AdminError.invalidArgument("room is required") }
        return try admin {
            try self.refuseNewRoomWhileDraining(request.room)
            let room = self.obtainRoom(request.room)
            let dispatch = self.createDispatch(room: room, agentName: request.agentName, metadata: request.metadata,
                                               now: MediaEngine.now())
            return self.dispatchWithJobs(dispatch)
        }
    }

    func listDispatches(room name: String, dispatchID: String) throws -> [Livekit_AgentDispatch] {
        try admin {
            let room = try self.existingRoom(name)
            return room.dispatches.values.filter { dispatchID.isEmpty || $0.id == dispatchID }
                .sorted { $0.state.createdAt < $1.state.createdAt }.map { self.dispatchWithJobs($0) }
        }
    }

    func deleteDispatch(room name: String, dispatchID: String) throws -> Livekit_AgentDispatch {
        try admin {
            let room = try self.existingRoom(name)
            guard let dispatch = room.dispatches.removeValue(forKey: dispatchID) else {
                throw AdminError.notFound("dispatch \(dispatchID) not found")
            }
            let final = self.dispatchWithJobs(dispatch)
            self.agents.update { $0.cancel(dispatchID: dispatchID, room: nil, now: $1) }
            self.agents.remote?.dispatchDeleted(dispatchID, room: name)
            return final
        }
    }
}
