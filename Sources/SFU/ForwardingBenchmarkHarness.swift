import DTLS
import ICE
import Logging
import NIOCore
import RTP
import SDP

/// The packet path of one room, set up for the `Benchmarks/` package: one publisher's VP8
/// track and `subscribers` connected subscribers (SRTP AEAD-AES-128-GCM), all on one
/// `MediaSocket` over a channel the caller owns (an `EmbeddedChannel`, whose outbound
/// datagrams the caller drains). Nothing here changes how the SFU behaves: it only builds
/// the objects a negotiation would, and calls the same entry points the socket handler does.
///
/// - `forwardDecryptedPacket()`: one plaintext packet into `PublishedTrack.receive` (what
///   `PeerConnection` hands it after unprotect): bookkeeping, then per subscriber rewrite,
///   SRTP protect, queue on the socket; then the socket's flush.
/// - `receiveProtectedPacket()`: one SRTP packet (prepared beforehand by
///   `prepareProtectedPackets`) into `MediaRouter.route`, as `MediaSocketHandler` does:
///   address lookup, demux, SRTP unprotect, parse, route by SSRC, then the same fan-out.
///
/// Confined to the caller's thread, like the media loop.
@_spi(Benchmarking)
public final class ForwardingBenchmarkHarness {
    public let subscriberCount: Int
    public let payloadSize: Int
    private let context: MediaContext
    private let router: MediaRouter
    private let socket: MediaSocket
    private let room: Room
    private let publisher: PeerConnection
    private let track: PublishedTrack
    private var subscribers: [PeerConnection] = []  // down tracks hold their peer unowned
    private let publisherAddress: SocketAddress
    /// The publisher's side of its SRTP session, to make the packets we receive.
    private let publisherSender: SRTPSession
    /// A session of its own for `protectOnly` (SRTP refuses to protect a sequence number twice).
    private let probeSession: SRTPSession
    private var probeSequence: UInt16 = 0
    /// One packet's worth of plaintext, rewritten in place for each packet.
    private let packet: UnsafeMutableRawBufferPointer
    private var sequence: UInt16 = 0
    private var packetIndex = 0
    private var pendingReceives: [(envelope: AddressedEnvelope<ByteBuffer>, now: Double)] = []
    static let ssrc: UInt32 = 1234
    static let payloadType: UInt8 = 96

    public init(channel: Channel, subscribers: Int, payloadSize: Int = 1100) throws {
        precondition(payloadSize >= 3 && 12 + payloadSize + 64 <= MediaSocket.scratchSize)
        subscriberCount = subscribers
        self.payloadSize = payloadSize
        context = MediaContext(logger: Logger(label: "benchmark"), certificate: try DTLSCertificate.generate(),
                               inboundLoss: 0, outboundLoss: 0)
        router = MediaRouter(context: context)
        context.router = router
        socket = MediaSocket(channel: channel)
        room = Room(name: "benchmark")
        func keys(_ local: UInt8, _ remote: UInt8) -> SRTPKeyingMaterial {
            SRTPKeyingMaterial(profile: .aeadAes128Gcm,
                               localMasterKey: Array(repeating: local, count: 16), localMasterSalt: Array(repeating: local &+ 1, count: 12),
                               remoteMasterKey: Array(repeating: remote, count: 16), remoteMasterSalt: Array(repeating: remote &+ 1, count: 12))
        }
        let vp8 = PayloadFormat(Codec(payloadType: Self.payloadType, name: "VP8", clockRate: 90000, channels: nil, fmtp: nil, feedback: []))

        publisherAddress = try SocketAddress(ipAddress: "127.0.0.1", port: 19999)
        let publisherTransport = WebRTCTransport(socket: socket, context: context)
        publisherTransport.assumeConnected(srtp: try SRTPSession(keyingMaterial: keys(1, 3)), remote: publisherAddress)
        publisherSender = try SRTPSession(keyingMaterial: keys(3, 1))
        probeSession = try SRTPSession(keyingMaterial: keys(5, 7))
        publisher = PeerConnection(id: "pub", transport: publisherTransport, room: room, now: 0)
        track = PublishedTrack(id: "TR_benchmark", kind: .video, mid: "0", publisher: publisher, formats: [vp8],
                               layers: [(rid: nil, ssrc: Self.ssrc, rtxSSRC: nil)], audioLevelExtensionID: nil)
        publisher.addPublished(track)
        router.add(publisher)
        router.register(TransportAddress(publisherAddress)!, for: publisherTransport)

        for index in 0..<subscribers {
            let transport = WebRTCTransport(socket: socket, context: context)
            transport.assumeConnected(srtp: try SRTPSession(keyingMaterial: keys(5, 7)),
                                      remote: try SocketAddress(ipAddress: "127.0.0.1", port: 20000 + index))
            let peer = PeerConnection(id: "sub\(index)", transport: transport, room: room, now: 0)
            let downTrack = DownTrack(ssrc: UInt32(5000 + index), kind: .video, mid: "1", cname: "benchmark", subscriber: peer,
                                      formats: [vp8], midExtensionID: 1, audioLevelExtensionID: nil)
            peer.addDownTrack(downTrack)
            self.subscribers.append(peer)
            downTrack.switchSource(to: track, now: 0)
            router.add(peer)
        }

        packet = UnsafeMutableRawBufferPointer.allocate(byteCount: MediaSocket.scratchSize, alignment: 16)
        packet.initializeMemory(as: UInt8.self, repeating: 0x5A)
        packet[0] = 0x80  // V=2, no padding, no extension, no CSRC
        RTPHeader.writeSSRC(Self.ssrc, into: packet)
        packet[12] = 0x10  // VP8 payload descriptor: S=1, PID 0 (RFC 7741 §4.2)
        // A keyframe first, so every down track starts forwarding; delta frames after it.
        forwardDecryptedPacket()
    }

    deinit { packet.deallocate() }

    /// Datagrams the subscribers' transports have protected and queued so far.
    public var rtpPacketsSent: UInt64 { context.counters.rtpPacketsSent }
    /// Packets the publisher's transport failed to unprotect (should stay 0).
    public var srtpErrors: UInt64 { context.counters.srtpErrors }

    /// Writes the next packet's header into `packet`: sequence numbers in order, 4 packets a
    /// frame at 15 fps (90 kHz), marker on the last; only the first is a keyframe.
    private func nextPacket() -> (length: Int, now: Double) {
        let index = packetIndex
        packetIndex += 1
        RTPHeader.writePayloadType(Self.payloadType, marker: index % 4 == 3, into: packet)
        RTPHeader.writeSequenceNumber(sequence, into: packet)
        RTPHeader.writeTimestamp(UInt32(truncatingIfNeeded: index / 4 * 6000), into: packet)
        sequence &+= 1
        packet[13] = index == 0 ? 0x00 : 0x01  // VP8 frame header P bit (RFC 7741 §4.3)
        return (12 + payloadSize, Double(index) / 1000)
    }

    /// One decrypted packet through the fan-out, then the socket's flush.
    public func forwardDecryptedPacket() {
        let (length, now) = nextPacket()
        let bytes = UnsafeMutableRawBufferPointer(rebasing: packet[0..<length])
        guard let header = try? RTPHeader.parse(UnsafeRawBufferPointer(bytes)) else { preconditionFailure("bad packet") }
        track.receive(bytes, header: header, layer: track.layers[0], now: now, context: context)
        socket.flushIfNeeded()
    }

    /// SRTP protect alone, libsrtp's share of a forwarded copy: a packet of the same size
    /// copied into the socket's scratch buffer and protected in place (not sent).
    @discardableResult
    public func protectOnly() -> Int {
        let length = 12 + payloadSize
        let scratch = socket.scratch
        UnsafeMutableRawBufferPointer(rebasing: scratch[0..<length]).copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[0..<length]))
        RTPHeader.writeSequenceNumber(probeSequence, into: scratch)
        probeSequence &+= 1
        return (try? probeSession.protectRTP(scratch.baseAddress!, length: length)) ?? 0
    }

    /// Protects the next `count` packets as the publisher would and keeps them, each in a
    /// receive-sized buffer of its own (NIO's receive allocator gives one per datagram).
    /// Do not interleave with `forwardDecryptedPacket` until they have all been received.
    public func prepareProtectedPackets(count: Int) {
        pendingReceives.reserveCapacity(pendingReceives.count + count)
        var prepared: [(envelope: AddressedEnvelope<ByteBuffer>, now: Double)] = []
        prepared.reserveCapacity(count)
        for _ in 0..<count {
            let (length, now) = nextPacket()
            var buffer = socket.channel.allocator.buffer(capacity: MediaSocket.scratchSize)
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: packet[0..<length]))
            buffer.writeRepeatingByte(0, count: SRTPSession.maxTrailer)
            let protected = buffer.withUnsafeMutableReadableBytes { bytes in
                try! publisherSender.protectRTP(bytes.baseAddress!, length: length)
            }
            buffer.moveWriterIndex(to: protected)
            prepared.append((AddressedEnvelope(remoteAddress: publisherAddress, data: buffer), now))
        }
        // Kept newest first, so that `popLast` hands each one over in order, owned.
        pendingReceives.insert(contentsOf: prepared.reversed(), at: 0)
    }

    /// Protected packets prepared and not yet received.
    public var pendingReceiveCount: Int { pendingReceives.count }

    /// One prepared SRTP packet into the router, as the socket handler hands it; then the flush.
    /// The harness keeps no reference to the buffer it hands over.
    public func receiveProtectedPacket() {
        guard let (envelope, now) = pendingReceives.popLast() else { preconditionFailure("no prepared packet") }
        router.route(envelope, now: now)
        socket.flushIfNeeded()
    }
}
