import Foundation
import NIOConcurrencyHelpers

/// A job for an agent worker on another node (issue 10 part 3): what `AgentDispatcher.dispatch`
/// takes, carried to the node whose worker will run it. That node offers, assigns and follows
/// the job as its own; the worker's agent joins the room through that node, which relays it to
/// the room's node.
public struct RemoteAgentDispatch: Codable, Sendable, Equatable {
    public var agentName: String
    public var jobType: Int
    /// `Livekit_Room`, binary protobuf.
    public var room: Data
    public var dispatchID: String
    public var metadata: String
    /// `Livekit_ParticipantInfo` of a PARTICIPANT job, binary protobuf.
    public var participant: Data?

    public init(agentName: String, jobType: Int, room: Data, dispatchID: String, metadata: String, participant: Data?) {
        self.agentName = agentName
        self.jobType = jobType
        self.room = room
        self.dispatchID = dispatchID
        self.metadata = metadata
        self.participant = participant
    }
}

/// The agent workers of the other nodes of a deployment, as their heartbeats list them, and
/// the way to hand them jobs. A room host asks it only when no worker here can take a job.
public final class RemoteAgents: Sendable {
    public enum Command: Sendable, Equatable {
        case dispatch(RemoteAgentDispatch)
        /// The room ended on its node: end the jobs held for it.
        case cancel(room: String)
        /// The dispatch was deleted (DeleteDispatch): end its jobs.
        case cancelDispatch(String, room: String)
    }

    /// Pool key ("type:agent name") → ids of other nodes with such workers.
    private let pools = NIOLockedValueBox<[String: [String]]>([:])
    /// Room → nodes that were handed jobs of it.
    private let handedTo = NIOLockedValueBox<[String: Set<String>]>([:])
    private let send: @Sendable (Command, String) -> Void

    /// `send` delivers a command to a node (it must not block).
    public init(send: @escaping @Sendable (Command, String) -> Void) {
        self.send = send
    }

    public static func poolKey(agentName: String, type: Livekit_JobType) -> String { "\(type.rawValue):\(agentName)" }

    /// What the other nodes advertise now.
    public func update(pools: [String: [String]]) {
        self.pools.withLockedValue { $0 = pools.mapValues { $0.sorted() } }
    }

    func node(agentName: String, type: Livekit_JobType) -> String? {
        pools.withLockedValue { $0[Self.poolKey(agentName: agentName, type: type)]?.first }
    }

    /// Hands the job to a node with such a worker; false if there is none.
    func forward(agentName: String, type: Livekit_JobType, room: Livekit_Room, dispatchID: String, metadata: String,
                 participant: Livekit_ParticipantInfo?) -> Bool {
        guard let node = node(agentName: agentName, type: type),
              let roomBytes: [UInt8] = try? room.serializedBytes() else { return false }
        let participantBytes: [UInt8]? = participant.flatMap { try? $0.serializedBytes() }
        let job = RemoteAgentDispatch(agentName: agentName, jobType: type.rawValue, room: Data(roomBytes), dispatchID: dispatchID,
                                      metadata: metadata, participant: participantBytes.map { Data($0) })
        handedTo.withLockedValue { $0[room.name, default: []].insert(node) }
        send(.dispatch(job), node)
        return true
    }

    func dispatchDeleted(_ dispatchID: String, room: String) {
        for node in handedTo.withLockedValue({ $0[room] }) ?? [] { send(.cancelDispatch(dispatchID, room: room), node) }
    }

    func roomEnded(_ room: String) {
        for node in handedTo.withLockedValue({ $0.removeValue(forKey: room) }) ?? [] { send(.cancel(room: room), node) }
    }
}
