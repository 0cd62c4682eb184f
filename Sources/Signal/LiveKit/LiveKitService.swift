import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SFU

/// LiveKit signalling over the SFU, as the HTTP side sees it: the join and resume flows, each
/// participant's `SignalRequest`s, the server API, agent workers and recorders. It routes
/// every call to the `RoomHost` of the call's room, which runs it on the room's media shard
/// (`MediaEngine.onRoomShard` places a new room on the least-loaded shard). What spans rooms
/// (room listings, agent workers, egress events) fans out to every host.
public final class LiveKitService: Sendable {
    public let engine: MediaEngine
    let hosts: [RoomHostHandle]
    let agents: AgentHub
    let logger: Logger
    /// Set on SIGTERM: rooms already here carry on, no new room is created.
    public let drain = DrainFlag()
    public let joins = JoinCounters()
    /// What `[limits]` refused, for `/metrics`.
    public let rateLimited = RateLimitCounters()
    /// Short background work of the signalling side (token signing): `shutdown` ends it.
    public let background = OwnedTasks()
    /// Webhook-style events, set once at start-up before the server takes connections.
    /// Set once at start, read from egress threads: behind a lock.
    private let onEvent = NIOLockedValueBox<(@Sendable (Livekit_WebhookEvent) -> Void)?>(nil)

    /// Opaque handle the WebSocket side keeps for its participant.
    public struct Session: Sendable {
        public let roomName: String
        public let participantSID: String
    }

    public enum JoinError: Error, CustomStringConvertible {
        case refused(String)
        public var description: String {
            switch self { case .refused(let why): return why }
        }
    }

    public init(engine: MediaEngine, keys: [String: String], defaults: RoomDefaults = RoomDefaults(),
                limits: ParticipantLimits = ParticipantLimits(), turn: TURNRelays? = nil, logger: Logger) {
        self.engine = engine
        self.logger = logger
        let agents = AgentHub(keys: keys, background: background, logger: logger)
        self.agents = agents
        let drain = self.drain, rateLimited = self.rateLimited
        hosts = engine.shards.map { shard in
            let host = RoomHost(shard: shard, agents: agents, drain: drain, keys: keys, defaults: defaults, limits: limits,
                                rateLimited: rateLimited, turn: turn, logger: logger)
            return RoomHostHandle(host, shard: shard)
        }
    }

    public func start() {
        for (index, host) in hosts.enumerated() { host.execute { $0.start(ticksAgents: index == 0) } }
    }

    public func stop() {
        for host in hosts { host.execute { $0.stop() } }
    }

    /// Stops the hosts' timers and cancels the background work still running (each piece is a
    /// token being signed: nothing is lost).
    public func shutdown() async {
        for host in hosts { _ = try? await host.onLoop { $0.stop() } }
        await background.shutdown(cancel: true)
    }

    /// Where events go (room_started, participant_joined, …, in order per room).
    public func setEventHandler(_ handler: @escaping @Sendable (Livekit_WebhookEvent) -> Void) async throws {
        onEvent.withLockedValue { $0 = handler }
        for host in hosts { try await host.onLoop { $0.onEvent = handler } }
    }

    /// Runs `body` on the host of `room`, on its loop. Without `create`, a room that is not
    /// placed anywhere is `AdminError.notFound`.
    func withHost<T: Sendable>(room: String, create: Bool, _ body: sending @escaping (RoomHost) throws -> T) async throws -> T {
        do {
            return try await engine.onRoomShard(room, create: create) { shard in try body(self.hosts[shard.index].host) }
        } catch MediaSessionError.notFound {
            throw AdminError.notFound("room \(room) does not exist")
        }
    }

    /// Runs `body` on every host's loop, in shard order.
    func eachHost<T: Sendable>(_ body: @escaping @Sendable (RoomHost) throws -> T) async throws -> [T] {
        var results: [T] = []
        for host in hosts { results.append(try await host.onLoop(body)) }
        return results
    }

    // MARK: Signalling

    /// Joins (or resumes) a participant; the first message in `sink` is the JoinResponse (or
    /// ReconnectResponse).
    public func join(claims: AccessTokenClaims, parameters: JoinParameters, sink: SignalSink) async throws -> Session {
        guard let roomName = claims.video?.room, !roomName.isEmpty else {
            joins.failed()
            throw JoinError.refused("token has no room")
        }
        do {
            let session = try await withHost(room: roomName, create: true) { host in
                try host.join(room: roomName, claims: claims, parameters: parameters, sink: sink)
            }
            if !parameters.reconnect { joins.joined() }
            return session
        } catch {
            joins.failed()
            throw error
        }
    }

    /// Rooms, participants and tracks over every host, and the agent jobs running.
    public func load() async -> NodeLoad {
        var total = NodeLoad()
        for part in (try? await eachHost { $0.load }) ?? [] { total.add(part) }
        total.agentJobsActive = agents.read { $0.workers().reduce(0) { $0 + $1.jobCount } }
        return total
    }

    /// The WebSocket closed. Without a leave the participant may resume for a while.
    public func connectionClosed(_ session: Session, sink: SignalSink) async {
        _ = try? await withHost(room: session.roomName, create: false) { $0.connectionClosed(session, sink: sink) }
    }

    /// Handles one decoded request from the participant's socket.
    public func handle(_ request: Livekit_SignalRequest, session: Session) async {
        _ = try? await withHost(room: session.roomName, create: false) { $0.handle(request, session: session) }
    }

    // MARK: Agent workers

    /// A worker registered (its first message). Returns its id; the RegisterWorkerResponse is sent.
    public func registerWorker(_ request: Livekit_RegisterWorkerRequest, connection: WorkerConnection) async -> WorkerID? {
        let id = agents.register(request, connection: connection)
        _ = try? await eachHost { $0.workerRegistered() }
        return id
    }

    /// In a deployment: how jobs reach other nodes' workers. Call before serving.
    public func enableRemoteAgents(_ remote: RemoteAgents) { agents.remote = remote }

    /// The kinds of jobs this node's workers take (`RemoteAgents.poolKey`).
    public var agentPools: [String] { agents.pools }

    /// Another node handed a job of one of its rooms to a worker here.
    public func acceptRemoteDispatch(_ job: RemoteAgentDispatch) throws {
        let room = try Livekit_Room(serializedBytes: [UInt8](job.room))
        let participant = try job.participant.map { try Livekit_ParticipantInfo(serializedBytes: [UInt8]($0)) }
        let type = Livekit_JobType(rawValue: job.jobType) ?? .jtRoom
        logger.info("room \(room.name) (another node's): job of dispatch \(job.dispatchID) for agent \"\(job.agentName)\"")
        agents.update { $0.dispatch(agentName: job.agentName, room: room, dispatchID: job.dispatchID, metadata: job.metadata,
                                    type: type, participant: participant, now: $1) }
    }

    /// Other nodes' workers changed: rooms here that wait for a kind of worker may start it.
    public func remoteAgentPoolsChanged() async {
        _ = try? await eachHost { $0.workerRegistered() }
    }

    /// Another node's dispatch was deleted: the jobs held here for it end.
    public func cancelRemoteDispatch(_ dispatchID: String) {
        agents.update { $0.cancel(dispatchID: dispatchID, room: nil, now: $1) }
    }

    /// Another node's room ended: the jobs held here for it end.
    public func cancelRemoteJobs(room: String) {
        agents.update { $0.cancel(dispatchID: nil, room: room, now: $1) }
    }

    public func workerMessage(_ message: Livekit_WorkerMessage, from worker: WorkerID) async {
        agents.message(message, from: worker)
    }

    /// The worker's socket closed: its jobs are re-offered or reported failed.
    public func workerDisconnected(_ worker: WorkerID) async {
        agents.disconnected(worker)
    }

    // MARK: Recorders

    /// Attaches a recorder to `roomName`; `trackID` limits it to one track.
    public func attach(_ recorder: RoomRecorder, room roomName: String, trackID: String?) async throws {
        try await withHost(room: roomName, create: false) { try $0.attach(recorder, room: roomName, trackID: trackID) }
    }

    public func detach(_ recorder: RoomRecorder) async {
        _ = try? await eachHost { $0.detach(recorder) }
    }

    /// egress_started / egress_updated / egress_ended (PROTOCOL.md §9), in order with the
    /// room events. Thread-safe.
    public func emitEgressEvent(_ name: String, info: Livekit_EgressInfo) {
        guard let onEvent = onEvent.withLockedValue({ $0 }) else { return }
        var event = Livekit_WebhookEvent()
        event.event = name
        event.egressInfo = info
        event.room.name = info.roomName
        event.id = Identifier.make("EV_")
        event.createdAt = Int64(Date().timeIntervalSince1970)
        onEvent(event)
        if name == "egress_ended" {
            let id = info.egressID
            for host in hosts { host.execute { $0.recordingEnded(id, now: MediaEngine.now()) } }
        }
    }
}
