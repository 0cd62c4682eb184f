import ArgumentParser
import Config
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import Redis
import SFU
import Webhooks
import Signal

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the server.")
    /// Seconds recordings get at shutdown to finish their files before their workers are killed.
    static let egressShutdownTimeout = 20.0

    @Option(name: .long, help: "Path of the TOML configuration file.")
    var config: String = "sfu.toml"

    func run() async throws {
        let text: String
        do {
            text = try String(contentsOfFile: config, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read config file \(config): \(error.localizedDescription)")
        }
        let settings: ServerConfig
        do {
            settings = try ServerConfig.parse(text)
        } catch {
            throw ValidationError("\(config): \(error)")
        }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sfu")
        let descriptors = ProcessLimits.raiseDescriptorLimit()
        let connections = ConnectionPolicy(settings: settings.connections, descriptorLimit: descriptors?.soft)
        logger.info("open descriptor limit \(descriptors.map { "\($0.soft) (hard \($0.hard), was \($0.before))" } ?? "unknown"); max_connections \(connections.maxConnections)")
        let advertised = try NodeAddress.resolve(configured: settings.nodeIP, bind: settings.bind)
        let engine = try MediaEngine(
            configuration: MediaEngineConfiguration(
                bindHost: settings.bind, udpPort: settings.udpPort, advertisedIP: advertised,
                mediaThreads: settings.effectiveMediaThreads,
                inboundLossPercent: settings.inboundLossPercent, outboundLossPercent: settings.outboundLossPercent,
                tcpPort: settings.tcpPort > 0 ? settings.tcpPort : nil),
            logger: logger)
        try await engine.start()
        if settings.inboundLossPercent > 0 || settings.outboundLossPercent > 0 {
            logger.warning("test-only packet loss injection on: in \(settings.inboundLossPercent)%, out \(settings.outboundLossPercent)%")
        }
        let verifier = AccessTokenVerifier(keys: settings.keys)
        let service = LiveKitService(engine: engine, keys: settings.keys, defaults: settings.roomDefaults,
                                     limits: settings.limits, turn: settings.turn, logger: logger)
        service.start()
        var webhooks: WebhookPipeline?
        if !settings.webhookURLs.isEmpty {
            var configuration = WebhookConfiguration(
                urls: settings.webhookURLs, apiKey: settings.webhookAPIKey,
                apiSecret: settings.keys[settings.webhookAPIKey] ?? "", directory: settings.webhookOutboxDirectory)
            // A receiver that comes back hears from us within ~10 s.
            configuration.maxBackoff = 10
            webhooks = try await WebhookPipeline.start(service: service, configuration: configuration, logger: logger)
            logger.info("webhooks to \(settings.webhookURLs.joined(separator: ", ")), outbox \(settings.webhookOutboxDirectory)")
        }
        let router = Router(context: SignallingRequestContext.self)
        router.add(middleware: CrossOriginMiddleware())  // first: it must wrap every route
        let registry = settings.redis.map { redis in
            NodeRegistry.make(settings: redis, http: "\(settings.bind):\(settings.port)",
                              media: "\(advertised):\(settings.udpPort)", service: service, logger: logger)
        }
        registry?.start()
        // The node's own short background work (a heartbeat, a frame for another node).
        let background = OwnedTasks()
        let drain = NodeDrain(timeout: settings.drainTimeout, logger: logger) {
            service.drain.set()
            if let registry { background.spawn { await registry.beat() } }  // the deployment hears of it at once
        }
        drain.installSignalHandlers()
        let egress = EgressManager(service: service, settings: settings.storage, logger: logger)
        let signalling = SignalRoutes(service: service, verifier: verifier, logger: logger,
                                      singlePeerConnection: settings.singlePeerConnection)
        var cluster: ClusterSignalling?
        var agentPools: AgentPoolWatch?
        if let registry, let redis = settings.redis {
            // Rooms placed across the deployment; a session reaching another node than its
            // room's is relayed there over Redis.
            let directory = RoomDirectory(client: registry.client, registry: registry, engine: engine, logger: logger)
            let relay = SignalRelay(nodeID: registry.nodeID, client: registry.client,
                                    subscriber: RedisSubscriber(configuration: redis.configuration, logger: logger),
                                    logger: logger,
                                    agents: { frame in
                switch frame {
                case .agentDispatch(let job):
                    do { try service.acceptRemoteDispatch(job) } catch { logger.info("agent job from another node dropped: \(error)") }
                case .agentCancel(let room):
                    service.cancelRemoteJobs(room: room)
                case .agentCancelDispatch(let dispatchID, _):
                    service.cancelRemoteDispatch(dispatchID)
                default:
                    break
                }
            }) { relay, session, open, frames in
                await signalling.serveRelayed(open, session: session, frames: frames, relay: relay)
            }
            // Jobs for agent workers of other nodes go through the same inboxes.
            let remoteAgents = RemoteAgents { command, node in
                let frame: RelayFrame
                switch command {
                case .dispatch(let job): frame = .agentDispatch(job)
                case .cancel(let room): frame = .agentCancel(room: room)
                case .cancelDispatch(let dispatchID, let room): frame = .agentCancelDispatch(dispatchID, room: room)
                }
                background.spawn { await relay.send(frame, to: node) }
            }
            service.enableRemoteAgents(remoteAgents)
            agentPools = AgentPoolWatch(registry: registry, remote: remoteAgents, service: service, logger: logger)
            directory.start()
            relay.start()
            agentPools?.start()
            cluster = ClusterSignalling(directory: directory, relay: relay)
        }
        var routes = signalling
        routes.cluster = cluster
        routes.register(on: router)
        WHIPRoutes(engine: engine, verifier: verifier, logger: logger, drain: service.drain, directory: cluster?.directory,
                   turn: settings.turn)
            .register(on: router)
        HealthRoutes.register(on: router, engine: engine, connections: connections.counters,
                              node: NodeMetrics(service: service, egress: egress, relay: cluster?.relay))
        AgentRoutes(service: service, verifier: verifier, logger: logger).register(on: router)
        let page = RoomPageRoutes(keys: settings.keys)
        page.register(on: router)
        if page.devMode { logger.warning("development keys in use: /dev/token mints room tokens for anyone (never use these keys in production)") }
        TwirpRoutes(verifier: verifier, logger: logger,
                    services: [RoomServiceMethods.service(service, egress: egress), AgentDispatchMethods.service(service),
                               EgressServiceMethods.service(egress)],
                    forwarder: cluster.map { TwirpForwarder(directory: $0.directory, registry: $0.registry) }).register(on: router)
        let app = Application(
            router: router,
            server: .signalling(webSocketRouter: router, refuseSinglePeerConnection: !settings.singlePeerConnection,
                                 connections: connections),
            configuration: .init(address: .hostname(settings.bind, port: settings.port), serverName: "sfu"),
            logger: logger)
        logger.info("sfu listening on http://\(settings.bind):\(settings.port)")
        // SIGTERM/SIGINT drain (NodeDrain) rather than stop the HTTP server at once.
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { drain.abandon() }  // the server ended by itself: nothing to wait for
                try await services.run()
            }
            group.addTask {
                _ = await drain.run {
                    let load = await service.load()
                    return load.participants + egress.activeCount
                }
                await services.triggerGracefulShutdown()
            }
            try await group.waitForAll()
        }
        // Shutdown order (docs/shutdown.md): the HTTP server has stopped, so nothing new arrives.
        // Recordings end first, while the media shards still run and webhooks still queue.
        await egress.shutdown(timeout: Self.egressShutdownTimeout)
        await background.shutdown(cancel: true)
        agentPools?.stop()
        await cluster?.relay.stop()
        await cluster?.directory.stop()
        await registry?.stop()
        await service.shutdown()
        await engine.shutdown()
        await webhooks?.stop()
        logger.info("sfu stopped")
    }
}
