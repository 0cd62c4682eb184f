import Foundation
import JWTKit
import SFU

/// Agent workers on `/agent` and their jobs (PROTOCOL.md §10). The `AgentDispatcher` state
/// machine decides; this file does the I/O: messages to workers, job tokens, logs.
extension LiveKitService {
    /// A worker registered (its first message). Returns its id; the RegisterWorkerResponse is sent.
    public func registerWorker(_ request: Livekit_RegisterWorkerRequest, connection: WorkerConnection) async -> WorkerID? {
        try? await engine.onLoop {
            let id = self.dispatcher.registerWorker(agentName: request.agentName, jobType: request.type, now: Self.wallClock)
            self.workers[id] = connection
            var response = Livekit_RegisterWorkerResponse()
            response.workerID = id.rawValue
            response.serverInfo = ServerIdentity.info
            connection.send(.register(response))
            self.logger.info("agent worker registered: \(id) agent_name=\"\(request.agentName)\" type=\(request.type)")
            // Rooms already running may be waiting for this kind of worker.
            for room in self.rooms.values { self.startRoomAgents(room, now: MediaEngine.now()) }
            return id
        }
    }

    public func workerMessage(_ message: Livekit_WorkerMessage, from worker: WorkerID) async {
        _ = try? await engine.onLoop {
            let now = Self.wallClock
            var actions: [AgentDispatcherAction] = []
            switch message.message {
            case .availability(let response):
                actions = self.dispatcher.availabilityResponse(from: worker, response, now: now)
            case .updateWorker(let update):
                self.dispatcher.updateWorker(worker, status: update.status, load: update.load, now: now)
            case .updateJob(let update):
                actions = self.dispatcher.jobStatus(from: worker, update, now: now)
            case .ping(let ping):
                var pong = Livekit_WorkerPong()
                pong.lastTimestamp = ping.timestamp
                pong.timestamp = Int64(Date().timeIntervalSince1970 * 1000)
                self.workers[worker]?.send(.pong(pong))
            default:
                break
            }
            self.perform(actions)
        }
    }

    /// The worker's socket closed: its jobs are re-offered or reported failed.
    public func workerDisconnected(_ worker: WorkerID) async {
        _ = try? await engine.onLoop {
            self.workers[worker] = nil
            self.logger.info("agent worker \(worker) disconnected")
            self.perform(self.dispatcher.removeWorker(worker, now: Self.wallClock))
        }
    }

    static var wallClock: Double { Date().timeIntervalSince1970 }

    func tickAgents(now: Double) {
        perform(dispatcher.tick(now: Self.wallClock))
    }

    /// Room start: the configured agents (CreateRoom.agents / roomConfig.agents), else the
    /// implicit room job for workers registered without an agent name.
    func startRoomAgents(_ room: LiveKitRoom, now: Double) {
        guard !room.agentsDispatched, !room.allParticipants.isEmpty || !room.agents.isEmpty else { return }
        if room.agents.isEmpty {
            guard dispatcher.hasWorkers(agentName: "", type: .jtRoom) else { return }
            room.agentsDispatched = true
            createDispatch(room: room, agentName: "", metadata: "", now: now)
        } else {
            room.agentsDispatched = true
            for agent in room.agents { createDispatch(room: room, agentName: agent.agentName, metadata: agent.metadata, now: now) }
        }
    }

    /// PARTICIPANT jobs for workers without an agent name that asked for them.
    func dispatchParticipantJob(_ room: LiveKitRoom, participant: LiveKitParticipant, now: Double) {
        guard !participant.isDependent, dispatcher.hasWorkers(agentName: "", type: .jtParticipant) else { return }
        perform(dispatcher.dispatch(agentName: "", room: room.info, dispatchID: Identifier.make("AD_"), metadata: "",
                                    type: .jtParticipant, participant: participant.info, now: Self.wallClock))
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
        perform(dispatcher.dispatch(agentName: agentName, room: room.info, dispatchID: dispatch.id, metadata: metadata,
                                    type: .jtRoom, participant: nil, now: Self.wallClock))
        return dispatch
    }

    func cancelAgentJobs(room: String, now: Double) {
        perform(dispatcher.cancel(dispatchID: nil, room: room, now: Self.wallClock))
    }

    /// A dispatch with its jobs' current state.
    func dispatchWithJobs(_ dispatch: Livekit_AgentDispatch) -> Livekit_AgentDispatch {
        var dispatch = dispatch
        dispatch.state.jobs = dispatcher.jobs(room: dispatch.room).filter { $0.dispatchID == dispatch.id }
        return dispatch
    }

    func perform(_ actions: [AgentDispatcherAction]) {
        for action in actions {
            switch action {
            case .offer(let worker, let job):
                var request = Livekit_AvailabilityRequest()
                request.job = job
                workers[worker]?.send(.availability(request))
            case .assign(let worker, let job, let identity, let name, let metadata, let attributes):
                guard let connection = workers[worker] else { continue }
                let token = jobToken(job: job, identity: identity, name: name, metadata: metadata, attributes: attributes)
                let jobCopy = job
                Task {
                    guard let token = try? await token() else { return }
                    var assignment = Livekit_JobAssignment()
                    assignment.job = jobCopy
                    assignment.token = token
                    connection.send(.assignment(assignment))
                }
                logger.info("agent job \(job.id) assigned to \(worker) as \(identity) in room \(job.room.name)")
            case .terminate(let worker, let jobID):
                var termination = Livekit_JobTermination()
                termination.jobID = jobID
                workers[worker]?.send(.termination(termination))
            case .jobFailed(let job, let reason):
                logger.warning("agent job \(job.id) failed: \(reason)")
            case .jobEnded(let job, let status):
                logger.info("agent job \(job.id) ended: \(status)")
            }
        }
    }

    /// The job's room token (PROTOCOL.md §10: roomJoin + agent grants, kind agent, 1 h).
    private func jobToken(job: Livekit_Job, identity: String, name: String, metadata: String,
                          attributes: [String: String]) -> @Sendable () async throws -> String {
        let key = keys.keys.sorted().first ?? ""
        let secret = keys[key] ?? ""
        var claims = AccessTokenClaims()
        claims.iss = key
        claims.sub = identity
        claims.name = name
        claims.metadata = metadata
        claims.attributes = attributes
        claims.kind = "agent"
        claims.nbf = NotBeforeClaim(value: Date().addingTimeInterval(-1))
        claims.exp = ExpirationClaim(value: Date().addingTimeInterval(3600))
        var grant = VideoGrant()
        grant.roomJoin = true
        grant.room = job.room.name
        grant.canPublish = true
        grant.canSubscribe = true
        grant.canPublishData = true
        grant.canUpdateOwnMetadata = true
        grant.agent = true
        claims.video = grant
        let payload = claims
        return { try await AccessTokenSigner.sign(payload, secret: secret) }
    }
}
