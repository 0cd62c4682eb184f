import Signal

/// `livekit.RoomService` (PROTOCOL.md §8) over the LiveKit service.
enum RoomServiceMethods {
    static func service(_ rooms: LiveKitService, egress: EgressManager) -> TwirpService {
        TwirpService(name: "livekit.RoomService", methods: [
            TwirpMethod("CreateRoom", grant: .roomCreate, routing: .roomOwner(creates: true), routedBy: { $0.name }) { (request: Livekit_CreateRoomRequest) in
                let existed = !(try await rooms.listRooms(names: [request.name])).isEmpty
                let room = try await rooms.createRoom(request)
                // Auto-egress: a room composite recording from the room's creation.
                if !existed, request.hasEgress, request.egress.hasRoom {
                    var composite = request.egress.room
                    composite.roomName = request.name
                    _ = try await egress.startRoomComposite(composite)
                }
                return room
            },
            TwirpMethod("ListRooms", grant: .roomList, routing: .concatenating(Livekit_ListRoomsResponse.self, \.rooms)) { (request: Livekit_ListRoomsRequest) in
                var response = Livekit_ListRoomsResponse()
                response.rooms = try await rooms.listRooms(names: request.names)
                return response
            },
            TwirpMethod("DeleteRoom", grant: .roomCreate, routing: .roomOwner(creates: false), routedBy: { $0.room }) { (request: Livekit_DeleteRoomRequest) in
                try await rooms.deleteRoom(request.room)
                return Livekit_DeleteRoomResponse()
            },
            TwirpMethod("ListParticipants", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_ListParticipantsRequest) in
                var response = Livekit_ListParticipantsResponse()
                response.participants = try await rooms.listParticipants(room: request.room)
                return response
            },
            TwirpMethod("GetParticipant", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_RoomParticipantIdentity) in
                try await rooms.participant(room: request.room, identity: request.identity)
            },
            TwirpMethod("RemoveParticipant", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_RoomParticipantIdentity) in
                try await rooms.removeParticipant(room: request.room, identity: request.identity)
                return Livekit_RemoveParticipantResponse()
            },
            TwirpMethod("MutePublishedTrack", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_MuteRoomTrackRequest) in
                var response = Livekit_MuteRoomTrackResponse()
                response.track = try await rooms.mutePublishedTrack(room: request.room, identity: request.identity,
                                                                    trackSID: request.trackSid, muted: request.muted)
                return response
            },
            TwirpMethod("UpdateParticipant", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_UpdateParticipantRequest) in
                try await rooms.updateParticipant(request)
            },
            TwirpMethod("UpdateSubscriptions", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_UpdateSubscriptionsRequest) in
                try await rooms.updateSubscriptions(request)
                return Livekit_UpdateSubscriptionsResponse()
            },
            TwirpMethod("SendData", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_SendDataRequest) in
                try await rooms.sendData(request)
                return Livekit_SendDataResponse()
            },
            TwirpMethod("UpdateRoomMetadata", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_UpdateRoomMetadataRequest) in
                try await rooms.updateRoomMetadata(room: request.room, metadata: request.metadata)
            },
        ])
    }
}

/// `livekit.AgentDispatchService`.
enum AgentDispatchMethods {
    static func service(_ rooms: LiveKitService) -> TwirpService {
        TwirpService(name: "livekit.AgentDispatchService", methods: [
            TwirpMethod("CreateDispatch", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_CreateAgentDispatchRequest) in
                try await rooms.createDispatch(request)
            },
            TwirpMethod("ListDispatch", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_ListAgentDispatchRequest) in
                var response = Livekit_ListAgentDispatchResponse()
                response.agentDispatches = try await rooms.listDispatches(room: request.room, dispatchID: request.dispatchID)
                return response
            },
            TwirpMethod("DeleteDispatch", grant: .roomAdmin, room: { $0.room }, routing: .roomOwner(creates: false)) { (request: Livekit_DeleteAgentDispatchRequest) in
                try await rooms.deleteDispatch(room: request.room, dispatchID: request.dispatchID)
            },
        ])
    }
}
