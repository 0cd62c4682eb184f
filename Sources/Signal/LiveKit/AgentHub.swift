import Foundation
import JWTKit
import Logging
import NIOConcurrencyHelpers

/// Agent workers on `/agent` and their jobs (PROTOCOL.md §10), shared by the room hosts of
/// every media shard: a worker registered once can take jobs for rooms on any shard. The
/// `AgentDispatcher` state machine decides, behind a lock (touched per job event and worker
/// message, never per packet); this type does the I/O: messages to workers, job tokens, logs.
final class AgentHub: Sendable {
    private struct State {
        var dispatcher = AgentDispatcher()
        var workers: [WorkerID: WorkerConnection] = [:]
    }
    private let state = NIOLockedValueBox(State())
    let keys: [String: String]
    let logger: Logger
    /// Owns the token signing for assignments (`LiveKitService.shutdown` ends them).
    let background: OwnedTasks
    /// Workers of the other nodes of a deployment (`[redis]`); set before connections come.
    private let remoteAgents = NIOLockedValueBox<RemoteAgents?>(nil)

    init(keys: [String: String], background: OwnedTasks, logger: Logger) {
        self.keys = keys
        self.background = background
        self.logger = logger
    }

    static var wallClock: Double { Date().timeIntervalSince1970 }

    var remote: RemoteAgents? {
        get { remoteAgents.withLockedValue { $0 } }
        set { remoteAgents.withLockedValue { $0 = newValue } }
    }

    /// Whether a worker here or on another node can take jobs of this kind.
    func canServe(agentName: String, type: Livekit_JobType) -> Bool {
        read { $0.hasWorkers(agentName: agentName, type: type) } || remote?.node(agentName: agentName, type: type) != nil
    }

    /// Dispatches a job to a worker here, or, when none here has that agent name and type,
    /// to another node's.
    func dispatch(agentName: String, room: Livekit_Room, dispatchID: String, metadata: String,
                  type: Livekit_JobType, participant: Livekit_ParticipantInfo?) {
        if !read({ $0.hasWorkers(agentName: agentName, type: type) }),
           let remote, remote.forward(agentName: agentName, type: type, room: room, dispatchID: dispatchID,
                                      metadata: metadata, participant: participant) {
            logger.info("room \(room.name): job of dispatch \(dispatchID) handed to another node's \"\(agentName)\" worker")
            return
        }
        update { $0.dispatch(agentName: agentName, room: room, dispatchID: dispatchID, metadata: metadata,
                             type: type, participant: participant, now: $1) }
    }

    /// Hands jobs waiting here for a kind of worker only another node has over to that node
    /// (the other node's workers may have become known after the job was dispatched).
    func handOverWaitingJobs() {
        guard let remote else { return }
        let jobs = state.withLockedValue { state in
            state.dispatcher.releaseWaitingJobs { remote.node(agentName: $0, type: $1) != nil }
        }
        for job in jobs {
            let participant = job.hasParticipant ? job.participant : nil
            if remote.forward(agentName: job.agentName, type: job.type, room: job.room, dispatchID: job.dispatchID,
                              metadata: job.metadata, participant: participant) {
                logger.info("room \(job.room.name): waiting job \(job.id) handed to another node's \"\(job.agentName)\" worker")
            }
        }
    }

    /// The kinds of jobs this node's workers take (`RemoteAgents.poolKey`), for its heartbeat.
    var pools: [String] {
        read { dispatcher in
            Set(dispatcher.workerPools().map { RemoteAgents.poolKey(agentName: $0.agentName, type: $0.type) }).sorted()
        }
    }

    /// Runs a dispatcher transition and performs the actions it returns.
    func update(_ transition: (inout AgentDispatcher, Double) -> [AgentDispatcherAction]) {
        perform(state.withLockedValue { transition(&$0.dispatcher, Self.wallClock) })
    }

    func read<T>(_ body: (AgentDispatcher) -> T) -> T { state.withLockedValue { body($0.dispatcher) } }

    /// A worker registered (its first message): the RegisterWorkerResponse is sent.
    func register(_ request: Livekit_RegisterWorkerRequest, connection: WorkerConnection) -> WorkerID {
        let id = state.withLockedValue { state -> WorkerID in
            let id = state.dispatcher.registerWorker(agentName: request.agentName, jobType: request.type, now: Self.wallClock)
            state.workers[id] = connection
            return id
        }
        var response = Livekit_RegisterWorkerResponse()
        response.workerID = id.rawValue
        response.serverInfo = ServerIdentity.info
        connection.send(.register(response))
        logger.info("agent worker registered: \(id) agent_name=\"\(request.agentName)\" type=\(request.type)")
        return id
    }

    func message(_ message: Livekit_WorkerMessage, from worker: WorkerID) {
        switch message.message {
        case .availability(let response):
            update { $0.availabilityResponse(from: worker, response, now: $1) }
        case .updateWorker(let update):
            state.withLockedValue { $0.dispatcher.updateWorker(worker, status: update.status, load: update.load, now: Self.wallClock) }
        case .updateJob(let job):
            update { $0.jobStatus(from: worker, job, now: $1) }
        case .ping(let ping):
            var pong = Livekit_WorkerPong()
            pong.lastTimestamp = ping.timestamp
            pong.timestamp = Int64(Date().timeIntervalSince1970 * 1000)
            connection(worker)?.send(.pong(pong))
        default:
            break
        }
    }

    /// The worker's socket closed: its jobs are re-offered or reported failed.
    func disconnected(_ worker: WorkerID) {
        let actions = state.withLockedValue { state -> [AgentDispatcherAction] in
            state.workers[worker] = nil
            return state.dispatcher.removeWorker(worker, now: Self.wallClock)
        }
        logger.info("agent worker \(worker) disconnected")
        perform(actions)
    }

    private func connection(_ worker: WorkerID) -> WorkerConnection? { state.withLockedValue { $0.workers[worker] } }

    func perform(_ actions: [AgentDispatcherAction]) {
        for action in actions {
            switch action {
            case .offer(let worker, let job):
                var request = Livekit_AvailabilityRequest()
                request.job = job
                connection(worker)?.send(.availability(request))
            case .assign(let worker, let job, let identity, let name, let metadata, let attributes):
                guard let connection = connection(worker) else { continue }
                let token = jobToken(job: job, identity: identity, name: name, metadata: metadata, attributes: attributes)
                let jobCopy = job
                background.spawn {
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
                connection(worker)?.send(.termination(termination))
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
