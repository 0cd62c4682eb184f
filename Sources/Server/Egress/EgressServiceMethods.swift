import Signal

/// `livekit.Egress` (PROTOCOL.md §8), `roomRecord` grant.
enum EgressServiceMethods {
    static func service(_ egress: EgressManager) -> TwirpService {
        TwirpService(name: "livekit.Egress", methods: [
            TwirpMethod("StartRoomCompositeEgress", grant: .roomRecord, routing: .roomOwner(creates: false), routedBy: { $0.roomName }) { (request: Livekit_RoomCompositeEgressRequest) in
                try await egress.startRoomComposite(request)
            },
            TwirpMethod("StartTrackEgress", grant: .roomRecord, routing: .roomOwner(creates: false), routedBy: { $0.roomName }) { (request: Livekit_TrackEgressRequest) in
                try await egress.startTrack(request)
            },
            TwirpMethod("StopEgress", grant: .roomRecord, routing: .firstFound) { (request: Livekit_StopEgressRequest) in
                try await egress.stop(request.egressID)
            },
            TwirpMethod("ListEgress", grant: .roomRecord, routing: .concatenating(Livekit_ListEgressResponse.self, \.items)) { (request: Livekit_ListEgressRequest) in
                var response = Livekit_ListEgressResponse()
                response.items = egress.list(room: request.roomName, egressID: request.egressID, active: request.active)
                return response
            },
        ])
    }
}
