import SFU

/// RoomService and AgentDispatchService (PROTOCOL.md §8), each routed to its room's host.
extension LiveKitService {
    public func createRoom(_ request: Livekit_CreateRoomRequest) async throws -> Livekit_Room {
        guard !request.name.isEmpty else { throw AdminError.invalidArgument("room name is required") }
        return try await withHost(room: request.name, create: true) { try $0.createRoom(request) }
    }

    /// Rooms of every host, oldest first.
    public func listRooms(names: [String]) async throws -> [Livekit_Room] {
        try await eachHost { try $0.listRooms(names: names) }.flatMap { $0 }.sorted { $0.creationTimeMs < $1.creationTimeMs }
    }

    public func deleteRoom(_ name: String) async throws {
        try await withHost(room: name, create: false) { try $0.deleteRoom(name) }
    }

    public func listParticipants(room name: String) async throws -> [Livekit_ParticipantInfo] {
        try await withHost(room: name, create: false) { try $0.listParticipants(room: name) }
    }

    public func participant(room name: String, identity: String) async throws -> Livekit_ParticipantInfo {
        try await withHost(room: name, create: false) { try $0.participant(room: name, identity: identity) }
    }

    public func removeParticipant(room name: String, identity: String) async throws {
        try await withHost(room: name, create: false) { try $0.removeParticipant(room: name, identity: identity) }
    }

    public func mutePublishedTrack(room name: String, identity: String, trackSID: String, muted: Bool) async throws -> Livekit_TrackInfo {
        try await withHost(room: name, create: false) {
            try $0.mutePublishedTrack(room: name, identity: identity, trackSID: trackSID, muted: muted)
        }
    }

    public func updateParticipant(_ request: Livekit_UpdateParticipantRequest) async throws -> Livekit_ParticipantInfo {
        try await withHost(room: request.room, create: false) { try $0.updateParticipant(request) }
    }

    public func updateSubscriptions(_ request: Livekit_UpdateSubscriptionsRequest) async throws {
        try await withHost(room: request.room, create: false) { try $0.updateSubscriptions(request) }
    }

    public func sendData(_ request: Livekit_SendDataRequest) async throws {
        try await withHost(room: request.room, create: false) { try $0.sendData(request) }
    }

    public func updateRoomMetadata(room name: String, metadata: String) async throws -> Livekit_Room {
        try await withHost(room: name, create: false) { try $0.updateRoomMetadata(room: name, metadata: metadata) }
    }

    public func createDispatch(_ request: Livekit_CreateAgentDispatchRequest) async throws -> Livekit_AgentDispatch {
        guard !request.room.isEmpty else { throw AdminError.invalidArgument("room is required") }
        return try await withHost(room: request.room, create: true) { try $0.createDispatch(request) }
    }

    public func listDispatches(room name: String, dispatchID: String) async throws -> [Livekit_AgentDispatch] {
        try await withHost(room: name, create: false) { try $0.listDispatches(room: name, dispatchID: dispatchID) }
    }

    public func deleteDispatch(room name: String, dispatchID: String) async throws -> Livekit_AgentDispatch {
        try await withHost(room: name, create: false) { try $0.deleteDispatch(room: name, dispatchID: dispatchID) }
    }
}
