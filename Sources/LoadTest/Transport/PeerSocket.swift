#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// One simulated peer connection's UDP socket on 127.0.0.1 (its own port, as a browser has
/// one per transport). Reads go through a swift-nio `DatagramChannel` on the media loop;
/// writes skip NIO's write pipeline: once the server's address is known the socket is
/// connected to it (the kernel then keeps the route) and the queued packets of a tick go out
/// with plain `send(2)` calls from the same loop thread. The send batch is raw memory owned
/// here, so sending allocates nothing. (NIO's datagram write path cost about as much CPU per
/// packet as the system call itself, measured with perf on the voice profile.)
final class PeerSocket {
    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        var description: String {
            switch self { case .system(let call, let code): return "\(call) failed: \(String(cString: strerror(code)))" }
        }
    }

    let descriptor: CInt
    private(set) var channel: Channel?
    private(set) var isConnected = false
    private let batch: UnsafeMutableRawBufferPointer
    private var used = 0
    private var offsets: [Int]
    private var lengths: [Int]
    private var count = 0
    static let maxBatchPackets = 64
    private(set) var packetsSent: UInt64 = 0
    private(set) var bytesSent: UInt64 = 0
    private(set) var sendErrors: UInt64 = 0

    /// A non-blocking UDP socket bound to 127.0.0.1 on a port of the kernel's choosing.
    /// `capacity`: bytes of one send batch (a video keyframe burst needs more than an audio packet).
    init(capacity: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.system("socket", errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure.system("bind", code)
        }
        descriptor = fd
        batch = .allocate(byteCount: max(capacity, 2_048), alignment: 16)
        offsets = [Int](repeating: 0, count: Self.maxBatchPackets)
        lengths = [Int](repeating: 0, count: Self.maxBatchPackets)
    }

    deinit { batch.deallocate() }

    /// Hands the socket to NIO for reading (NIO owns and closes the descriptor from here on).
    func register(on loop: EventLoop, handler: PeerSocketHandler) -> EventLoopFuture<Void> {
        DatagramBootstrap(group: loop)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2_048))
            // One read per readiness event: epoll is level-triggered, and a second read would
            // almost always be an EAGAIN system call (a peer gets one packet per 20 ms).
            .channelOption(ChannelOptions.maxMessagesPerRead, value: 1)
            .channelInitializer { channel in channel.pipeline.addHandler(handler) }
            .withBoundSocket(descriptor)
            .map { [self] channel in self.channel = channel }
    }

    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return ok == 0 ? Int(UInt16(bigEndian: address.sin_port)) : 0
    }

    /// Connects the socket to the server's candidate (IPv4 loopback): `send` needs no address
    /// after this, and only that address's datagrams are delivered.
    func connect(host: String, port: Int) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port)).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Failure.system("inet_pton(\(host))", EINVAL) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw Failure.system("connect", errno) }
        isConnected = true
    }

    var hasPending: Bool { count > 0 }

    /// Queues a copy of `bytes`; flushes first when the batch is full.
    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard isConnected, bytes.count <= batch.count else { return }
        if count == Self.maxBatchPackets || batch.count - used < bytes.count { flush() }
        offsets[count] = used
        lengths[count] = bytes.count
        (batch.baseAddress! + used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        used += bytes.count
        count += 1
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Sends every queued packet. A full socket buffer (EAGAIN) or a refused port drops the
    /// packet, as a congested network would; it is counted in `sendErrors`.
    func flush() {
        guard count > 0 else { return }
        let base = batch.baseAddress!
        for index in 0..<count {
            let length = lengths[index]
            if send(descriptor, base + offsets[index], length, Int32(MSG_DONTWAIT)) == length {
                packetsSent &+= 1
                bytesSent &+= UInt64(length)
            } else {
                sendErrors &+= 1
            }
        }
        count = 0
        used = 0
    }

    func close() {
        count = 0
        if let channel {
            channel.close(promise: nil)
        } else {
            Glibc.close(descriptor)
        }
        isConnected = false
    }
}

/// Hands each datagram of a peer's socket to its owner.
final class PeerSocketHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    weak var peer: SimulatedPeer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        envelope.data.withUnsafeReadableBytes { bytes in peer?.datagramReceived(bytes) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        peer?.flushPending()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port unreachable when the server went away: the peer's timers notice.
    }
}
