import CDatagram
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import DTLS
import ICE

public struct MediaEngineConfiguration: Sendable {
    public var bindHost: String
    public var udpPort: Int
    /// Address put in our ICE candidates.
    public var advertisedIP: String
    /// Media event loops (`[rtc] media_threads`); each hosts whole rooms.
    public var mediaThreads: Int
    public var inboundLossPercent: Double
    public var outboundLossPercent: Double
    /// `[rtc] tcp_port`: the ICE-TCP listener (RFC 6544, passive candidates); nil = none.
    public var tcpPort: Int?

    public init(bindHost: String, udpPort: Int, advertisedIP: String, mediaThreads: Int = 1,
                inboundLossPercent: Double = 0, outboundLossPercent: Double = 0, tcpPort: Int? = nil) {
        self.bindHost = bindHost
        self.udpPort = udpPort
        self.tcpPort = tcpPort
        self.advertisedIP = advertisedIP
        self.mediaThreads = max(1, mediaThreads)
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

/// The media plane: `mediaThreads` shards, each an event loop that owns whole rooms, all on
/// one UDP port (DESIGN.md "Media shards"). Rooms are placed on the least-loaded shard when
/// first used; everything about a room then happens on its shard's loop.
public final class MediaEngine: Sendable {
    let configuration: MediaEngineConfiguration
    let group: MultiThreadedEventLoopGroup
    public let shards: [MediaShardHandle]
    let placement: RoomPlacement
    let directory: ShardDirectory?
    let certificate: DTLSCertificate
    let logger: Logger
    /// The shards' sockets, bound in `start` and closed in `shutdown` (either may run on any thread).
    private let channels = NIOLockedValueBox<[Channel]>([])
    /// ICE-TCP: the listener's counters (always present, zero without a listener).
    public let iceTCP = ICETCPCounters()
    /// Socket buffers asked for (the kernel caps them at net.core.rmem_max / wmem_max): a burst
    /// of joins or a scheduling hiccup must not overflow the receive queue.
    static let socketBufferBytes = 4 << 20

    public init(configuration: MediaEngineConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let count = configuration.mediaThreads
        group = MultiThreadedEventLoopGroup(numberOfThreads: count)
        certificate = try DTLSCertificate.generate()
        placement = RoomPlacement(shardCount: count)
        directory = count > 1 ? ShardDirectory() : nil
        let loops = Array(group.makeIterator())
        var handles: [MediaShardHandle] = []
        for index in 0..<count {
            let context = MediaContext(logger: logger, certificate: certificate,
                                       inboundLoss: configuration.inboundLossPercent, outboundLoss: configuration.outboundLossPercent)
            let shard = MediaShard(index: index, loop: loops[index], context: context, directory: directory, placement: placement)
            handles.append(MediaShardHandle(shard, index: index, loop: loops[index]))
        }
        self.shards = handles
        directory?.setDelivery(handles.map { handle in
            { envelope in handle.execute { $0.receiveHandedOver(envelope) } }
        })
    }

    /// Binds the media port once per shard (SO_REUSEPORT when there are several) and starts
    /// their timers.
    public func start() async throws {
        let several = shards.count > 1
        var port = configuration.udpPort
        let bindAddress = try Self.resolve(host: configuration.bindHost)
        let tcpCandidate = try await startICETCP()
        for shard in shards {
            let loop = shard.eventLoop
            let handler = try await shard.onLoop {
                NIOLoopBound(MediaSocketHandler(router: shard.shard.router, drainsAfterRead: true), eventLoop: loop)
            }
            // Our own descriptor, so that MediaSocket can write it with sendmmsg; NIO reads it.
            let packed = bindAddress.packedBytes
            var boundPort: UInt16 = 0
            let descriptor = withUnsafeBytes(of: packed.bytes) { ip in
                cdatagram_open_udp(packed.count == 16 ? 6 : 4, ip.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                   UInt16(clamping: port), several ? 1 : 0, CInt(Self.socketBufferBytes), &boundPort)
            }
            guard descriptor >= 0 else {
                throw MediaSessionError.internalError("cannot bind UDP \(configuration.bindHost):\(port): \(String(cString: strerror(-descriptor)))")
            }
            let channel: Channel
            do {
                channel = try await DatagramBootstrap(group: shard.eventLoop)
                    // NIO reads one datagram a wakeup; MediaSocket.drain reads the rest in batches.
                    .channelOption(ChannelOptions.maxMessagesPerRead, value: 1)
                    .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler.value) }
                    }
                    .withBoundSocket(descriptor)
                    .get()
            } catch {
                close(descriptor)
                throw error
            }
            if port == 0 { port = Int(boundPort) }
            channels.withLockedValue { $0.append(channel) }
            let address = try advertisedAddress(port: port)
            let binding = several ? ConnectedSockets.Binding(host: configuration.bindHost, port: port) : nil
            let candidates = [hostCandidate(address: address)] + (tcpCandidate.map { [$0] } ?? [])
            try await shard.onLoop {
                shard.shard.start(channel: channel, descriptor: descriptor, handler: handler.value, candidates: candidates, connect: binding)
            }
        }
        logger.info("media: UDP \(configuration.bindHost):\(port) on \(shards.count) media thread(s), candidates advertise \(configuration.advertisedIP)")
    }

    /// Binds the ICE-TCP listener (when configured) and returns its passive candidate.
    private func startICETCP() async throws -> String? {
        guard let tcpPort = configuration.tcpPort else { return nil }
        let shards = shards, directory = directory, counters = iceTCP
        let channel: Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ICETCPConnectionHandler(shards: shards, directory: directory, counters: counters))
                    }
                }
                .bind(host: configuration.bindHost, port: tcpPort)
                .get()
        } catch {
            throw MediaSessionError.internalError("cannot listen on TCP \(configuration.bindHost):\(tcpPort) for ICE-TCP: \(error)")
        }
        channels.withLockedValue { $0.append(channel) }
        let port = channel.localAddress?.port ?? tcpPort
        let address = try advertisedAddress(port: port)
        logger.info("media: ICE-TCP (passive) on TCP \(configuration.bindHost):\(port)")
        return passiveTCPCandidate(address: address)
    }

    /// What our candidates name: `node_ip` and `port`.
    private func advertisedAddress(port: Int) throws -> TransportAddress {
        guard let address = TransportAddress(string: configuration.advertisedIP, port: UInt16(port)) else {
            throw MediaSessionError.internalError("advertised address \(configuration.advertisedIP) is not an IP address")
        }
        return address
    }

    /// The bind address: an IP literal, or a name resolved once.
    static func resolve(host: String) throws -> TransportAddress {
        if let literal = TransportAddress(string: host, port: 0) { return literal }
        guard let address = TransportAddress(try SocketAddress.makeAddressResolvingHost(host, port: 0)) else {
            throw MediaSessionError.internalError("cannot resolve the media bind address \(host)")
        }
        return address
    }

    public func shutdown() async {
        for shard in shards { _ = try? await shard.onLoop { shard.shard.stop() } }
        for channel in channels.withLockedValue({ $0 }) { try? await channel.close() }
        try? await group.shutdownGracefully()
    }

    public var certificateFingerprint: String { certificate.fingerprintSHA256 }

    /// Every shard's counters, summed.
    public func counters() async -> MediaCounters {
        var total = MediaCounters()
        for shard in shards {
            if let counters = try? await shard.onLoop({ shard.shard.counters }) { total.add(counters) }
        }
        return total
    }

    /// Monotonic seconds for timers and statistics.
    public static func now() -> Double { Double(NIODeadline.now().uptimeNanoseconds) / 1e9 }

    /// Runs `body` on the loop of the shard hosting `room`, placing the room first if it has
    /// none and `create` is set. Without a placement and `create`, throws `notFound`.
    public func onRoomShard<T: Sendable>(_ room: String, create: Bool, _ body: sending @escaping (MediaShard) throws -> T) async throws -> T {
        guard let index = placement.acquire(room, create: create) else { throw MediaSessionError.notFound }
        let shard = shards[index]
        return try await shard.onLoop {
            defer { self.placement.release(room) }
            return try body(shard.shard)
        }
    }

    /// Rooms placed on each shard, for `/metrics`.
    public var roomsPerShard: [Int] { placement.roomsPerShard }

    /// Every room placed on a shard of this node.
    public var placedRooms: [String] { placement.roomNames }

    /// Whether `room` lives on one of the shards (or is being placed there).
    public func hostsRoom(_ room: String) -> Bool { placement.isPlaced(room) }
}

/// Hands each datagram to the router and flushes what the fan-out queued. Bound to its
/// shard's loop: other threads reach it only through `NIOLoopBound`.
final class MediaSocketHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let router: MediaRouter
    /// Set on the media loop once the socket exists; its flush also recycles send buffers.
    var socket: MediaSocket?

    /// Whether this handler's channel is the shard's own socket, the one `MediaSocket.drain`
    /// reads after NIO. A connected socket's handler must not drain it: the shared socket may
    /// have a readiness event pending in the same epoll batch, and NIO expects a readable
    /// event to find a datagram (it asserts so in debug builds).
    let drainsAfterRead: Bool

    init(router: MediaRouter, drainsAfterRead: Bool = false) {
        self.router = router
        self.drainsAfterRead = drainsAfterRead
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        router.route(envelope, now: MediaEngine.now())
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let socket else { return context.flush() }
        if drainsAfterRead { socket.drain(into: router) }
        socket.scheduleFlush()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port unreachable and the like: a peer went away; keep the socket.
    }
}
