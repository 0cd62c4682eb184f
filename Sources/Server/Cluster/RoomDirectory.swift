import Foundation
import Logging
import NIOConcurrencyHelpers
import Redis
import SFU

/// Which node of the deployment hosts each room (issue 10 part 2): `sfu:room:<name>` holds the
/// node id, with a TTL its owner refreshes every second while it hosts the room and deletes
/// once it does not. The first join places the room on the least-loaded node that is not
/// draining (`PlacementChoice`), written with a compare-and-set script so that two nodes
/// placing the same room at once agree on one. A node that dies stops refreshing: its rooms'
/// entries expire, or are replaced at once by a join that finds the owner gone from the
/// registry.
final class RoomDirectory: Sendable {
    enum Route: Equatable, Sendable {
        case local
        case remote(String)
    }

    struct Unavailable: Error, CustomStringConvertible {
        let room: String
        var description: String { "no node of the deployment can host room \(room) (all draining or gone)" }
    }

    let client: RedisClient
    let registry: NodeRegistry
    let engine: MediaEngine
    private let logger: Logger
    /// Rooms this node wrote as its own, so it can delete them once it no longer hosts them.
    private let advertised = NIOLockedValueBox<Set<String>>([])
    private let refreshLoop = RepeatingTask()
    static let ttlMs = 15_000

    static func key(_ room: String) -> String { "sfu:room:\(room)" }

    /// Sets KEYS[1] to ARGV[1] if it is unset or still ARGV[2] (the dead owner being
    /// replaced); returns who holds it afterwards.
    static let placeScript = """
        local v = redis.call('GET', KEYS[1])
        if (not v) or v == ARGV[2] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
          return ARGV[1]
        end
        return v
        """
    /// Refreshes every key that is unset or ours.
    static let refreshScript = """
        for _, k in ipairs(KEYS) do
          local v = redis.call('GET', k)
          if (not v) or v == ARGV[1] then redis.call('SET', k, ARGV[1], 'PX', ARGV[2]) end
        end
        return 1
        """
    /// Deletes every key that is still ours.
    static let releaseScript = """
        for _, k in ipairs(KEYS) do
          if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k) end
        end
        return 1
        """

    init(client: RedisClient, registry: NodeRegistry, engine: MediaEngine, logger: Logger) {
        self.client = client
        self.registry = registry
        self.engine = engine
        self.logger = logger
    }

    var nodeID: String { registry.nodeID }

    /// Where a participant of `room` is served: here, or relayed to the owner.
    func route(_ room: String) async throws -> Route {
        if engine.hostsRoom(room) { return .local }
        let key = Self.key(room)
        for _ in 0..<3 {
            let owner = try await client.getString(key)
            let live = try await registry.liveNodes()
            switch PlacementChoice.decide(owner: owner, live: live) {
            case .owner(let id):
                return id == nodeID ? .local : .remote(id)
            case .unavailable:
                throw Unavailable(room: room)
            case .place(let id, let replacing):
                let winner = try await client.eval(Self.placeScript, keys: [key],
                                                   args: [id, replacing ?? "", String(Self.ttlMs)]).stringValue
                guard let winner else { continue }
                if winner == id, id == nodeID { advertised.withLockedValue { _ = $0.insert(room) } }
                if winner == id || live.contains(where: { $0.id == winner }) {
                    logger.debug("room \(room) placed on node \(winner)")
                    return winner == nodeID ? .local : .remote(winner)
                }
            }
        }
        throw Unavailable(room: room)
    }

    /// Where a room that must already exist is: its live owner, or here (where a missing
    /// room is then reported as such). Never places it.
    func lookup(_ room: String) async throws -> Route {
        if engine.hostsRoom(room) { return .local }
        guard let owner = try await client.getString(Self.key(room)), owner != nodeID else { return .local }
        let live = try await registry.liveNodes()
        return live.contains(where: { $0.id == owner }) ? .remote(owner) : .local
    }

    /// The live node `id`, if it is one.
    func node(_ id: String) async throws -> NodeRecord? {
        try await registry.liveNodes().first { $0.id == id }
    }

    /// Starts the refresh loop (once a second).
    func start() {
        refreshLoop.start(every: .seconds(1)) { [weak self] in await self?.refresh() }
    }

    /// Refreshes the entries of the rooms hosted here, and deletes those of rooms that left.
    func refresh() async {
        let hosted = Set(engine.placedRooms)
        let gone = advertised.withLockedValue { set -> Set<String> in
            let gone = set.subtracting(hosted)
            set = hosted
            return gone
        }
        do {
            if !hosted.isEmpty {
                _ = try await client.eval(Self.refreshScript, keys: hosted.map(Self.key), args: [nodeID, String(Self.ttlMs)])
            }
            if !gone.isEmpty {
                _ = try await client.eval(Self.releaseScript, keys: gone.map(Self.key), args: [nodeID])
            }
        } catch {
            logger.warning("redis room refresh failed (node \(nodeID)): \(error)")
        }
    }

    /// Stops refreshing and deletes this node's entries.
    func stop() async {
        refreshLoop.stop()
        let mine = advertised.withLockedValue { $0 }.union(engine.placedRooms)
        if !mine.isEmpty {
            _ = try? await client.eval(Self.releaseScript, keys: mine.map(Self.key), args: [nodeID])
        }
    }
}
