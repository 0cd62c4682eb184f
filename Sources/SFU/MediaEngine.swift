import Foundation
import Logging
import NIOCore
import NIOPosix
import DTLS
import ICE

public struct MediaEngineConfiguration: Sendable {
    public var bindHost: String
    public var udpPort: Int
    /// Address put in our ICE candidates.
    public var advertisedIP: String
    public var inboundLossPercent: Double
    public var outboundLossPercent: Double

    public init(bindHost: String, udpPort: Int, advertisedIP: String, inboundLossPercent: Double = 0, outboundLossPercent: Double = 0) {
        self.bindHost = bindHost
        self.udpPort = udpPort
        self.advertisedIP = advertisedIP
        self.inboundLossPercent = inboundLossPercent
        self.outboundLossPercent = outboundLossPercent
    }
}

public enum MediaSessionError: Error, CustomStringConvertible, Equatable {
    case badOffer(String)
    case notFound
    case internalError(String)

    public var description: String {
        switch self {
        case .badOffer(let why): return "bad offer: \(why)"
        case .notFound: return "session not found"
        case .internalError(let why): return "internal error: \(why)"
        }
    }
}

/// The media plane: one UDP socket and one event loop that owns every room, transport and
/// track (mediasoup's worker model: no locks on the packet path). Other threads talk to it
/// only by submitting work to its loop.
public final class MediaEngine: @unchecked Sendable {
    let configuration: MediaEngineConfiguration
    let group: MultiThreadedEventLoopGroup
    let loop: EventLoop
    let context: MediaContext
    let router: MediaRouter
    private(set) var socket: MediaSocket?
    var rooms: [String: Room] = [:]
    private var ticker: RepeatedTask?
    private var tickCount = 0
    static let tickInterval = TimeAmount.milliseconds(10)

    public init(configuration: MediaEngineConfiguration, logger: Logger) throws {
        self.configuration = configuration
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        let certificate = try DTLSCertificate.generate()
        context = MediaContext(logger: logger, certificate: certificate,
                               inboundLoss: configuration.inboundLossPercent, outboundLoss: configuration.outboundLossPercent)
        router = MediaRouter(context: context)
        context.router = router
    }

    /// Binds the UDP port and starts the timers.
    public func start() async throws {
        let handler = MediaSocketHandler(router: router)
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .channelInitializer { channel in
                channel.pipeline.addHandler(handler)
            }
            .bind(host: configuration.bindHost, port: configuration.udpPort)
            .get()
        guard let address = TransportAddress(string: configuration.advertisedIP, port: UInt16(configuration.udpPort)) else {
            throw MediaSessionError.internalError("advertised address \(configuration.advertisedIP) is not an IP address")
        }
        try await loop.submit {
            self.context.localCandidates = [hostCandidate(address: address)]
            self.context.loop = self.loop
            let socket = MediaSocket(channel: channel)
            self.socket = socket
            handler.socket = socket
            self.ticker = self.loop.scheduleRepeatedTask(initialDelay: Self.tickInterval, delay: Self.tickInterval) { _ in
                self.tick()
            }
        }.get()
        context.logger.info("media: UDP \(configuration.bindHost):\(configuration.udpPort), candidates advertise \(configuration.advertisedIP)")
    }

    public func shutdown() async {
        _ = try? await loop.submit {
            self.ticker?.cancel()
            for room in self.rooms.values {
                for peer in room.peers.values { peer.close(reason: "server shutting down", now: Self.now()) }
            }
            self.socket?.flushIfNeeded()
        }.get()
        try? await socket?.channel.close()
        try? await group.shutdownGracefully()
    }

    public var certificateFingerprint: String { context.certificate.fingerprintSHA256 }

    public func counters() async -> MediaCounters {
        (try? await loop.submit { self.context.counters }.get()) ?? MediaCounters()
    }

    /// Monotonic seconds for timers and statistics.
    public static func now() -> Double { Double(NIODeadline.now().uptimeNanoseconds) / 1e9 }

    private func tick() {
        tickCount &+= 1
        let now = Self.now()
        let reports = tickCount % 100 == 0
        let wallClock = Date().timeIntervalSince1970
        for room in rooms.values {
            for peer in room.peers.values { peer.tick(now: now, wallClock: wallClock, reports: reports) }
        }
        if reports { rooms = rooms.filter { !$0.value.isEmpty } }
        socket?.flushIfNeeded()
    }

    public var eventLoop: EventLoop { loop }

    func room(named name: String) -> Room {
        if let room = rooms[name] { return room }
        let room = Room(name: name)
        rooms[name] = room
        return room
    }
}

/// Hands each datagram to the router and flushes what the fan-out queued.
final class MediaSocketHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let router: MediaRouter
    /// Set on the media loop once the socket exists; its flush also recycles send buffers.
    var socket: MediaSocket?

    init(router: MediaRouter) { self.router = router }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        router.route(envelope, now: MediaEngine.now())
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let socket { socket.flushIfNeeded() } else { context.flush() }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port unreachable and the like: a peer went away; keep the socket.
    }
}
