import Foundation
import Logging
import NIOConcurrencyHelpers
import Redis
import Signal

/// The signalling relay between nodes (issue 10 part 2), over Redis pub/sub as LiveKit relays
/// signals: each node subscribes to its inbox `sfu:signal:<node id>` and publishes a session's
/// frames (`RelayFrame`) to the other side's inbox. A node is the edge of the sessions whose
/// WebSocket reached it and the host of relayed sessions whose room it owns; frames are handed
/// to each session's own stream, in order.
///
/// A hosted session whose edge went quiet for `idleTimeout` is ended (the SDKs ping every few
/// seconds, so only a dead edge is that quiet); an edge whose room node died sees its client
/// stop getting pongs, and the SDK reconnects.
final class SignalRelay: Sendable {
    typealias Frames = AsyncStream<RelayFrame>
    let nodeID: String
    private let client: RedisClient
    private let subscriber: RedisSubscriber
    private let logger: Logger
    private let edges = NIOLockedValueBox<[String: Frames.Continuation]>([:])
    private let hosted = NIOLockedValueBox<[String: (continuation: Frames.Continuation, lastSeen: Double)]>([:])
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    /// The sessions hosted here for other nodes' sockets: `stop` ends their streams and waits.
    private let hostedSessions = OwnedTasks()
    private let counters = NIOLockedValueBox(RelayCounters())
    /// What runs a relayed session whose room is here: its open, and the frames that follow.
    private let host: @Sendable (SignalRelay, String, RelayFrame.Open, Frames) async -> Void
    /// What runs another node's agent commands (`agentDispatch`, `agentCancel`, `agentCancelDispatch`).
    private let agents: @Sendable (RelayFrame) async -> Void
    static let idleTimeout = 45.0

    struct RelayCounters: Sendable, Equatable {
        var framesIn = 0
        var framesOut = 0
        var malformed = 0
        var publishFailures = 0
    }

    static func inbox(of node: String) -> String { "sfu:signal:\(node)" }

    init(nodeID: String, client: RedisClient, subscriber: RedisSubscriber, logger: Logger,
         agents: @escaping @Sendable (RelayFrame) async -> Void = { _ in },
         host: @escaping @Sendable (SignalRelay, String, RelayFrame.Open, Frames) async -> Void) {
        self.nodeID = nodeID
        self.client = client
        self.subscriber = subscriber
        self.logger = logger
        self.host = host
        self.agents = agents
    }

    var statistics: RelayCounters { counters.withLockedValue { $0 } }

    var sessionCounts: (edge: Int, hosted: Int) {
        (edges.withLockedValue { $0.count }, hosted.withLockedValue { $0.count })
    }

    /// Subscribes to this node's inbox (retrying until Redis answers) and starts the watchdog.
    func start() {
        let reader = Task { [self] in
            var messages: RedisSubscriber.Messages?
            while messages == nil, !Task.isCancelled {
                do {
                    messages = try await subscriber.subscribe(Self.inbox(of: nodeID))
                } catch {
                    logger.warning("signal relay: subscribe to \(Self.inbox(of: nodeID)) failed: \(error)")
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            guard let messages else { return }
            for await payload in messages { await dispatch(payload) }
        }
        let watchdog = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(5))
                expireIdle(now: Self.now())
            }
        }
        tasks.withLockedValue { $0 = [reader, watchdog] }
    }

    func stop() async {
        for task in tasks.withLockedValue({ $0 }) { task.cancel() }
        for (_, c) in edges.withLockedValue({ $0 }) { c.finish() }
        for (_, h) in hosted.withLockedValue({ $0 }) { h.continuation.finish() }
        await hostedSessions.shutdown(cancel: true)
        await subscriber.close()
    }

    /// Publishes `frame` to `node`'s inbox; false (counted, logged) if Redis did not take it or
    /// nobody listens there (the node is gone).
    @discardableResult
    func send(_ frame: RelayFrame, to node: String) async -> Bool {
        do {
            let receivers = try await client.publish(Self.inbox(of: node), frame.encoded())
            guard receivers > 0 else {
                counters.withLockedValue { $0.publishFailures += 1 }
                logger.info("signal relay: node \(node) does not listen on its inbox (gone?)")
                return false
            }
            counters.withLockedValue { $0.framesOut += 1 }
            return true
        } catch {
            counters.withLockedValue { $0.publishFailures += 1 }
            logger.warning("signal relay: publish to node \(node) failed: \(error)")
            return false
        }
    }

    /// Registers a session whose WebSocket is here; its room node's frames arrive on the stream.
    func openEdge(_ session: String) -> Frames {
        let (stream, continuation) = Frames.makeStream()
        edges.withLockedValue { $0[session] = continuation }
        return stream
    }

    func closeEdge(_ session: String) {
        edges.withLockedValue { $0.removeValue(forKey: session) }?.finish()
    }

    private func dispatch(_ payload: [UInt8]) async {
        let frame: RelayFrame
        do {
            frame = try RelayFrame(decoding: payload)
        } catch {
            counters.withLockedValue { $0.malformed += 1 }
            logger.info("signal relay: malformed frame dropped (\(error))")
            return
        }
        counters.withLockedValue { $0.framesIn += 1 }
        switch frame {
        case .open(let session, let open):
            let (stream, continuation) = Frames.makeStream()
            hosted.withLockedValue { $0[session] = (continuation, Self.now()) }
            let started = hostedSessions.spawn { [self] in
                await host(self, session, open, stream)
                hosted.withLockedValue { $0.removeValue(forKey: session) }?.continuation.finish()
            }
            if !started { hosted.withLockedValue { $0.removeValue(forKey: session) }?.continuation.finish() }
        case .request(let session, _):
            hosted.withLockedValue { table -> Frames.Continuation? in
                table[session]?.lastSeen = Self.now()
                return table[session]?.continuation
            }?.yield(frame)
        case .close(let session):
            hosted.withLockedValue { $0[session]?.continuation }?.finish()
        case .response(let session, _):
            edges.withLockedValue { $0[session] }?.yield(frame)
        case .end(let session, _):
            if let c = edges.withLockedValue({ $0.removeValue(forKey: session) }) {
                c.yield(frame)
                c.finish()
            }
        case .agentDispatch, .agentCancel, .agentCancelDispatch:
            await agents(frame)
        }
    }

    private func expireIdle(now: Double) {
        let idle = hosted.withLockedValue { table in
            table.filter { now - $0.value.lastSeen > Self.idleTimeout }.map(\.value.continuation)
        }
        for continuation in idle { continuation.finish() }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
