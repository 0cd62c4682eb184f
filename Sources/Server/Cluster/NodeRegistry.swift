import Config
import Foundation
import Logging
import NIOConcurrencyHelpers
import Redis
import Signal
import SFU

/// This node's membership in the deployment (`[redis]`): it writes its `NodeRecord` every
/// second with a TTL, so a node that dies drops out within `ttl`; a clean stop removes it at
/// once. After a Redis restart the next heartbeat (or the client's reconnect hook) writes it
/// again. `liveNodes()` lists the nodes heard from within the TTL.
final class NodeRegistry: Sendable {
    let client: RedisClient
    private let logger: Logger
    private let record: NIOLockedValueBox<NodeRecord>
    private let heartbeat: NIOLockedValueBox<NodeHeartbeat>
    private let heartbeatLoop = RepeatingTask()
    private let load: @Sendable () async -> (rooms: Int, participants: Int, draining: Bool, agentPools: [String])
    static let interval: Duration = .seconds(1)
    static let ttlMs: Int64 = 5000
    /// Written atomically: the hash, its expiry, and the node's place in the index.
    static let writeScript = """
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 4))
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2] - ARGV[1])
        return 1
        """

    var nodeID: String { record.withLockedValue { $0.id } }

    init(client: RedisClient, record: NodeRecord, logger: Logger,
         load: @escaping @Sendable () async -> (rooms: Int, participants: Int, draining: Bool, agentPools: [String])) {
        self.client = client
        self.logger = logger
        self.record = NIOLockedValueBox(record)
        self.heartbeat = NIOLockedValueBox(NodeHeartbeat(ttlMs: Self.ttlMs))
        self.load = load
    }

    /// Connects and starts the heartbeat.
    func start() {
        client.onConnect { [weak self] in await self?.beat() }
        client.start()
        heartbeatLoop.start(every: Self.interval) { [weak self] in await self?.beat() }
    }

    /// Stops the heartbeat and removes the node from the deployment. (A heartbeat already in
    /// flight may write the record once more; it then expires within the TTL.)
    func stop() async {
        heartbeatLoop.stop()
        let id = nodeID
        _ = try? await client.send(["DEL", NodeRecord.key(id)])
        _ = try? await client.send(["ZREM", NodeRecord.indexKey, id])
        await client.close()
    }

    /// One heartbeat now (also called when draining starts, so others see it at once).
    func beat() async {
        let now = Self.nowMs()
        let (rooms, participants, draining, agentPools) = await load()
        let cpu = heartbeat.withLockedValue { $0.cpuCores(cpuSeconds: NodeMetrics.processCPUSeconds(), nowMs: now) }
        let current = record.withLockedValue { record -> NodeRecord in
            record.rooms = rooms
            record.participants = participants
            record.draining = draining
            record.agentPools = agentPools
            record.cpuCores = (cpu * 1000).rounded() / 1000
            record.updatedAtMs = now
            return record
        }
        var args = [String(Self.ttlMs), String(now), current.id]
        for (field, value) in current.fields.sorted(by: { $0.key < $1.key }) { args += [field, value] }
        do {
            _ = try await client.eval(Self.writeScript, keys: [NodeRecord.key(current.id), NodeRecord.indexKey], args: args)
        } catch {
            logger.warning("redis heartbeat failed (node \(current.id)): \(error)")
        }
    }

    /// Nodes heard from within the TTL (this one included), oldest first.
    func liveNodes() async throws -> [NodeRecord] {
        let since = heartbeat.withLockedValue { $0.staleBefore(nowMs: Self.nowMs()) }
        let ids = try await client.send(["ZRANGEBYSCORE", NodeRecord.indexKey, "(\(since)", "+inf"])
        var nodes: [NodeRecord] = []
        guard case .array(let items?) = ids else { return [] }
        for id in items.compactMap(\.stringValue) {
            if let node = NodeRecord(fields: try await client.hgetall(NodeRecord.key(id))) { nodes.append(node) }
        }
        return nodes.sorted { $0.startedAtMs < $1.startedAtMs }
    }

    /// The registry for `[redis]`, with this node's addresses and the service's load.
    static func make(settings: RedisSettings, http: String, media: String, service: LiveKitService, logger: Logger) -> NodeRegistry {
        let client = RedisClient(configuration: settings.configuration, logger: logger)
        var record = NodeRecord(id: RandomIdentifier.make("ND_"), http: http, media: media)
        record.cores = ProcessInfo.processInfo.activeProcessorCount
        record.startedAtMs = nowMs()
        logger.info("node \(record.id) joins the deployment through redis \(settings.host):\(settings.port)")
        return NodeRegistry(client: client, record: record, logger: logger) {
            let load = await service.load()
            return (load.rooms, load.participants, service.drain.isDraining, service.agentPools)
        }
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension RedisSettings {
    var configuration: RedisConfiguration {
        var configuration = RedisConfiguration(host: host, port: port, username: username, password: password, database: db)
        configuration.tls = tls
        return configuration
    }
}
