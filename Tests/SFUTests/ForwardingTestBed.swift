import DTLS
import ICE
import Logging
import NIOCore
import NIOEmbedded
import RTP
import SDP
import XCTest
@testable import SFU

/// The far end of one SFU transport, as a test plays it: a UDP address, an SRTP session with
/// the SFU side's keys mirrored (what the SFU protects it can unprotect and vice versa), and
/// every datagram the SFU sent there, decrypted where SRTP allows.
final class RemoteEndpoint {
    /// One RTP packet the SFU sent here, after SRTP unprotect (RFC 3711 §3.3).
    struct Packet {
        var header: RTPHeader
        /// The whole plaintext packet (header, extensions, payload).
        var bytes: [UInt8]
        /// The datagram as it came off the socket (still protected).
        var protected: [UInt8]
        var payload: [UInt8] { Array(bytes[header.payloadRange]) }

        /// The value of one RFC 8285 header extension element, if present.
        func extensionValue(id: UInt8) -> [UInt8]? {
            bytes.withUnsafeBytes { raw in header.extensionElement(id: id, in: raw).map { Array(raw[$0]) } }
        }
    }

    enum Datagram {
        case rtp(Packet)
        case rtcp([RTCPPacket])
        /// SRTP refused it: a replay (RFC 3711 §3.3.2) of a packet sent before (a NACK answer
        /// repeats sequence number and bytes), or garbage. Compare `protected` instead.
        case refused(protected: [UInt8])
    }

    let address: SocketAddress
    private let srtp: SRTPSession
    private(set) var datagrams: [Datagram] = []

    init(address: SocketAddress, keys: SRTPKeyingMaterial) throws {
        self.address = address
        self.srtp = try SRTPSession(keyingMaterial: keys)
    }

    var packets: [Packet] { datagrams.compactMap { if case .rtp(let p) = $0 { p } else { nil } } }
    var rtcp: [RTCPPacket] { datagrams.flatMap { datagram -> [RTCPPacket] in if case .rtcp(let p) = datagram { p } else { [] } } }
    var refused: [[UInt8]] { datagrams.compactMap { if case .refused(let p) = $0 { p } else { nil } } }
    var pictureLossIndications: [PictureLossIndication] { rtcp.compactMap { if case .pli(let p) = $0 { p } else { nil } } }
    var nacks: [GenericNACK] { rtcp.compactMap { if case .nack(let p) = $0 { p } else { nil } } }

    func forgetReceived() { datagrams.removeAll() }

    /// SRTP-protects an RTP packet this end sends.
    func protectRTP(_ packet: [UInt8]) throws -> [UInt8] {
        var buffer = packet + [UInt8](repeating: 0, count: SRTPSession.maxTrailer)
        let length = try buffer.withUnsafeMutableBytes { try srtp.protectRTP($0.baseAddress!, length: packet.count) }
        return Array(buffer[0..<length])
    }

    /// SRTCP-protects an RTCP compound packet this end sends (RFC 3711 §3.4).
    func protectRTCP(_ packets: [RTCPPacket]) throws -> [UInt8] {
        let plain = RTCPCompound.serialize(packets)
        var buffer = plain + [UInt8](repeating: 0, count: SRTPSession.maxTrailer)
        let length = try buffer.withUnsafeMutableBytes { try srtp.protectRTCP($0.baseAddress!, length: plain.count) }
        return Array(buffer[0..<length])
    }

    /// A datagram the SFU sent here. RTP and RTCP share the port (RFC 5761 §4: RTCP packet
    /// types 192-223 in the second octet).
    func receive(_ datagram: [UInt8]) {
        guard datagram.count >= 2 else { return datagrams.append(.refused(protected: datagram)) }
        var buffer = datagram + [UInt8](repeating: 0, count: 16)
        if (192...223).contains(datagram[1]) {
            let parsed = buffer.withUnsafeMutableBytes { raw -> [RTCPPacket]? in
                guard let length = try? srtp.unprotectRTCP(raw.baseAddress!, length: datagram.count) else { return nil }
                return try? RTCPCompound.parse(UnsafeRawBufferPointer(rebasing: raw[0..<length]))
            }
            datagrams.append(parsed.map { .rtcp($0) } ?? .refused(protected: datagram))
            return
        }
        let plain = buffer.withUnsafeMutableBytes { raw -> [UInt8]? in
            guard let length = try? srtp.unprotectRTP(raw.baseAddress!, length: datagram.count) else { return nil }
            return Array(raw[0..<length])
        }
        guard let plain, let header = plain.withUnsafeBytes({ try? RTPHeader.parse($0) }) else {
            return datagrams.append(.refused(protected: datagram))
        }
        datagrams.append(.rtp(Packet(header: header, bytes: plain, protected: datagram)))
    }
}

/// An SFU forwarding core without sockets: one publisher and any number of subscriber peer
/// connections on one NIO `EmbeddedChannel`, each transport assumed connected (ICE and DTLS
/// skipped) with fixed SRTP keys. Inbound datagrams enter through `MediaRouter.route`, the
/// path the UDP socket handler uses (demux, SRTP unprotect, RTP/RTCP dispatch); outbound
/// datagrams are read off the channel and handed to the `RemoteEndpoint` they were sent to.
final class ForwardingTestBed {
    /// SFU side: protect with 1/2, expect 3/4. A remote end uses the mirror image.
    static let sfuKeys = SRTPKeyingMaterial(profile: .aeadAes128Gcm,
                                            localMasterKey: Array(repeating: 1, count: 16), localMasterSalt: Array(repeating: 2, count: 12),
                                            remoteMasterKey: Array(repeating: 3, count: 16), remoteMasterSalt: Array(repeating: 4, count: 12))
    static let remoteKeys = SRTPKeyingMaterial(profile: .aeadAes128Gcm,
                                               localMasterKey: Array(repeating: 3, count: 16), localMasterSalt: Array(repeating: 4, count: 12),
                                               remoteMasterKey: Array(repeating: 1, count: 16), remoteMasterSalt: Array(repeating: 2, count: 12))

    static let vp8 = PayloadFormat(Codec(payloadType: 96, name: "VP8", clockRate: 90000, channels: nil, fmtp: nil, feedback: []))
    static let rtx = PayloadFormat(Codec(payloadType: 97, name: "rtx", clockRate: 90000, channels: nil, fmtp: "apt=96", feedback: []))

    let context: MediaContext
    let channel = EmbeddedChannel()
    let socket: MediaSocket
    let router: MediaRouter
    let room = Room(name: "testbed")
    let publisher: PeerConnection
    let publisherEnd: RemoteEndpoint
    private(set) var subscribers: [(peer: PeerConnection, end: RemoteEndpoint)] = []
    private var endpoints: [RemoteEndpoint] = []
    /// Datagrams sent to an address no endpoint owns.
    private(set) var strayDatagrams = 0
    private var nextPort = 20000

    init() throws {
        context = MediaContext(logger: Logger(label: "testbed"), certificate: try DTLSCertificate.generate(),
                               inboundLoss: 0, outboundLoss: 0)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        socket = MediaSocket(channel: channel)
        router = MediaRouter(context: context)
        context.router = router
        (publisher, publisherEnd) = try Self.makePeer(id: "PA_pub", port: 10000, socket: socket, context: context, router: router, room: room)
        endpoints.append(publisherEnd)
    }

    private static func makePeer(id: String, port: Int, socket: MediaSocket, context: MediaContext, router: MediaRouter,
                                 room: Room) throws -> (PeerConnection, RemoteEndpoint) {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        let transport = WebRTCTransport(socket: socket, context: context)
        transport.assumeConnected(srtp: try SRTPSession(keyingMaterial: sfuKeys), remote: address)
        let peer = PeerConnection(id: id, transport: transport, room: room, now: 0)
        room.add(peer)
        router.add(peer)
        router.register(TransportAddress(address)!, for: transport)
        return (peer, try RemoteEndpoint(address: address, keys: remoteKeys))
    }

    /// A connected subscriber peer connection and its far end.
    @discardableResult
    func addSubscriber() throws -> (peer: PeerConnection, end: RemoteEndpoint) {
        let made = try Self.makePeer(id: "PA_sub\(subscribers.count)", port: nextPort, socket: socket, context: context,
                                     router: router, room: room)
        nextPort += 1
        subscribers.append(made)
        endpoints.append(made.1)
        return made
    }

    /// A connected peer connection the bed does not keep: it lives as long as the caller and
    /// the router hold it (`router.unregister` its transport to let it go).
    func addTransientPeer() throws -> (peer: PeerConnection, end: RemoteEndpoint) {
        let made = try Self.makePeer(id: "PA_transient\(nextPort)", port: nextPort, socket: socket, context: context,
                                     router: router, room: room)
        nextPort += 1
        endpoints.append(made.1)
        return made
    }

    /// A video track of the publisher, announced SSRCs per layer (RIDs for simulcast).
    func publishVideo(id: String = "TR_video", formats: [PayloadFormat] = [vp8],
                      layers: [(rid: String?, ssrc: UInt32?, rtxSSRC: UInt32?)], now: Double = 0) -> PublishedTrack {
        let track = PublishedTrack(id: id, kind: .video, mid: "0", publisher: publisher, formats: formats,
                                   layers: layers, audioLevelExtensionID: nil)
        publisher.addPublished(track)
        room.publish(track, now: now)
        return track
    }

    /// A down track already negotiated (VP8 on `payloadType`, MID extension 1), forwarding `track`.
    func subscribe(_ peer: PeerConnection, to track: PublishedTrack, ssrc: UInt32, payloadType: UInt8 = 100,
                   targetLayer: Int = Int.max, now: Double) -> DownTrack {
        let format = PayloadFormat(Codec(payloadType: payloadType, name: "VP8", clockRate: 90000, channels: nil, fmtp: nil, feedback: []))
        let downTrack = DownTrack(ssrc: ssrc, kind: .video, mid: "v\(ssrc)", cname: "testbed", subscriber: peer,
                                  formats: [format], midExtensionID: 1, audioLevelExtensionID: nil)
        downTrack.targetLayer = targetLayer
        peer.addDownTrack(downTrack)
        downTrack.switchSource(to: track, now: now)
        deliverOutbound()
        return downTrack
    }

    /// One SRTP-protected RTP packet from `end` into the SFU through the router, then what
    /// the fan-out sent is delivered.
    func send(rtp packet: [UInt8], from end: RemoteEndpoint, now: Double) throws {
        route(try end.protectRTP(packet), from: end, now: now)
    }

    /// One SRTCP-protected compound packet from `end` into the SFU through the router.
    func send(rtcp packets: [RTCPPacket], from end: RemoteEndpoint, now: Double) throws {
        route(try end.protectRTCP(packets), from: end, now: now)
    }

    private func route(_ datagram: [UInt8], from end: RemoteEndpoint, now: Double) {
        router.route(AddressedEnvelope(remoteAddress: end.address, data: channel.allocator.buffer(bytes: datagram)), now: now)
        deliverOutbound()
    }

    /// Flushes the socket and hands each queued datagram to the endpoint it is addressed to.
    func deliverOutbound() {
        socket.flushIfNeeded()
        while let envelope = try? channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) {
            guard let end = endpoints.first(where: { $0.address == envelope.remoteAddress }) else {
                strayDatagrams += 1
                continue
            }
            end.receive(Array(envelope.data.readableBytesView))
        }
    }

    func forgetReceived() { endpoints.forEach { $0.forgetReceived() } }
}

/// A VP8 payload (RFC 7741 §4.2 descriptor: S=1, PID 0, no extensions) whose payload header
/// (§4.3) marks a keyframe (P=0) or not, followed by `body`.
func vp8Payload(keyframe: Bool, body: [UInt8]) -> [UInt8] {
    [0x10, keyframe ? 0x00 : 0x01] + body
}
