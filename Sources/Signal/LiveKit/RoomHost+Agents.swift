import Foundation
import SFU

/// Agent jobs of this host's rooms; `AgentHub` holds the workers and the dispatcher.
extension RoomHost {
    static var wallClock: Double { AgentHub.wallClock }

    func tickAgents(now: Double) {
        agents.update { $0.tick(now: $1) }
        agents.handOverWaitingJobs()
    }

    /// A worker registered: rooms already running may be waiting for its kind.
    func workerRegistered() {
        for room in rooms.values { startRoomAgents(room, now: MediaEngine.now()) }
    }

    /// Room start: the configured agents (CreateRoom.agents / roomConfig.agents), else the
    /// implicit room job for workers registered without an agent name.
    func startRoomAgents(_ room: LiveKitRoom, now: Double) {
        guard !room.agentsDispatched, !room.allParticipants.isEmpty || !room.agents.isEmpty else { return }
        if room.agents.isEmpty {
            guard agents.canServe(agentName: "", type: .jtRoom) else { return }
            room.agentsDispatched = true
            createDispatch(room: room, agentName: "", metadata: "", now: now)
        } else {
            room.agentsDispatched = true
            for agent in room.agents { createDispatch(room: room, agentName: agent.agentName, metadata: agent.metadata, now: now) }
        }
    }

    /// PARTICIPANT jobs for workers without an agent name that asked for them.
    func dispatchParticipantJob(_ room: LiveKitRoom, participant: LiveKitParticipant, now: Double) {
        guard !participant.isDependent, agents.canServe(agentName: "", type: .jtParticipant) else { return }
        agents.dispatch(agentName: "", room: room.info, dispatchID: Identifier.make("AD_"), metadata: "",
                        type: .jtParticipant, participant: participant.info)
    }

    @discardableResult
    func createDispatch(room: LiveKitRoom, agentName: String, metadata: String, now: Double) -> Livekit_AgentDispatch {
        var dispatch = Livekit_AgentDispatch()
        dispatch.id = Identifier.make("AD_")
        dispatch.agentName = agentName
        dispatch.room = room.name
        dispatch.metadata = metadata
        dispatch.state.createdAt = Int64(Date().timeIntervalSince1970 * 1e9)
        room.dispatches[dispatch.id] = dispatch
        logger.info("room \(room.name): dispatch \(dispatch.id) for agent \"\(agentName)\"")
        agents.dispatch(agentName: agentName, room: room.info, dispatchID: dispatch.id, metadata: metadata,
                        type: .jtRoom, participant: nil)
        return dispatch
    }

    func cancelAgentJobs(room: String, now: Double) {
        agents.update { $0.cancel(dispatchID: nil, room: room, now: $1) }
        agents.remote?.roomEnded(room)
    }

    /// A dispatch with its jobs' current state.
    func dispatchWithJobs(_ dispatch: Livekit_AgentDispatch) -> Livekit_AgentDispatch {
        var dispatch = dispatch
        let all = agents.read { $0.jobs(room: dispatch.room) }
        dispatch.state.jobs = all.filter { $0.dispatchID == dispatch.id }
        return dispatch
    }
}
