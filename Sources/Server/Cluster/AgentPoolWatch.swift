import Foundation
import Logging
import NIOConcurrencyHelpers
import Signal

/// Keeps `RemoteAgents` current (issue 10 part 3): once a second it reads which kinds of agent
/// jobs the other live nodes' workers take (their registry records) and, when a kind appears,
/// lets the rooms here that wait for one start it.
final class AgentPoolWatch: Sendable {
    let registry: NodeRegistry
    let remote: RemoteAgents
    let service: LiveKitService
    private let logger: Logger
    private let known = NIOLockedValueBox<Set<String>>([])
    private let refreshLoop = RepeatingTask()

    init(registry: NodeRegistry, remote: RemoteAgents, service: LiveKitService, logger: Logger) {
        self.registry = registry
        self.remote = remote
        self.service = service
        self.logger = logger
    }

    /// Pool key → the other nodes whose workers take such jobs.
    static func pools(of nodes: [NodeRecord], except me: String) -> [String: [String]] {
        var pools: [String: [String]] = [:]
        for node in nodes where node.id != me {
            for pool in node.agentPools { pools[pool, default: []].append(node.id) }
        }
        return pools
    }

    func start() {
        refreshLoop.start(every: .seconds(1)) { [weak self] in await self?.refresh() }
    }

    func stop() { refreshLoop.stop() }

    func refresh() async {
        guard let nodes = try? await registry.liveNodes() else { return }
        let pools = Self.pools(of: nodes, except: registry.nodeID)
        remote.update(pools: pools)
        let keys = Set(pools.keys)
        let appeared = known.withLockedValue { known -> Bool in
            defer { known = keys }
            return !keys.isSubset(of: known)
        }
        if appeared {
            logger.debug("agent workers on other nodes: \(keys.sorted())")
            await service.remoteAgentPoolsChanged()
        }
    }
}
