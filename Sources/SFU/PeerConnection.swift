import NIOCore
import ICE
import RTP

/// What a peer connection tells its owner (LiveKit participant, WHIP/WHEP session), on the
/// media loop.
public protocol PeerConnectionObserver: AnyObject {
    func peerConnectionDidConnect(_ peer: PeerConnection)
    func peerConnection(_ peer: PeerConnection, didClose reason: String)
    func peerConnection(_ peer: PeerConnection, didReceiveData data: [UInt8], binary: Bool, label: String)
    func peerConnection(_ peer: PeerConnection, didOpenDataChannel label: String)
}

public extension PeerConnectionObserver {
    func peerConnectionDidConnect(_ peer: PeerConnection) {}
    func peerConnection(_ peer: PeerConnection, didReceiveData data: [UInt8], binary: Bool, label: String) {}
    func peerConnection(_ peer: PeerConnection, didOpenDataChannel label: String) {}
}

/// One negotiated peer connection: a transport plus the tracks it receives (published) and
/// sends (down tracks), and its data channels. Routes decrypted media to tracks by SSRC
/// (or by MID/RID for SSRCs the SDP did not announce), and RTCP feedback to the down track
/// it names. Confined to the media loop.
public final class PeerConnection {
    public let id: String
    let transport: WebRTCTransport
    public unowned let room: Room
    public weak var observer: PeerConnectionObserver?
    public private(set) var published: [PublishedTrack] = []
    /// Where an SSRC's packets go. The references are unowned(unsafe), so that a lookup on the
    /// packet path retains nothing: every entry belongs to a track in `published`, which holds
    /// it, and leaves these maps in `removePublished` together with it.
    private struct LayerRoute {
        unowned(unsafe) let track: PublishedTrack
        unowned(unsafe) let layer: TrackLayer
        init(_ track: PublishedTrack, _ layer: TrackLayer) {
            self.track = track
            self.layer = layer
        }
    }
    private var layersBySSRC: [UInt32: LayerRoute] = [:]
    private var retransmissionsBySSRC: [UInt32: LayerRoute] = [:]
    public private(set) var downTracks: [DownTrack] = []
    private var downTracksBySSRC: [UInt32: DownTrack] = [:]
    public private(set) var isClosed = false
    let createdAt: Double
    /// Negotiation state (see PeerConnection+Negotiation).
    var negotiation = NegotiationState()
    var dataChannels: DataChannelSet?
    /// Reliable messages waiting for their channel to open.
    var pendingData = PendingDataMessages()
    /// Transport-wide congestion control feedback toward a publisher.
    private var congestionFeedback: TransportFeedbackGenerator?
    private var lastCongestionFeedback = 0.0
    /// The receiver's estimate of what it can take (REMB), and when it came.
    private var receiveEstimate: (bitsPerSecond: Double, time: Double)?
    static let congestionFeedbackInterval = 0.05

    deinit { LiveObjects.freed(.peerConnection) }

    init(id: String, transport: WebRTCTransport, room: Room, now: Double) {
        LiveObjects.made(.peerConnection)
        self.id = id
        self.transport = transport
        self.room = room
        self.createdAt = now
        transport.onConnected = { [unowned self] in self.transportConnected() }
        transport.onClosed = { [unowned self] reason in self.close(reason: reason, now: MediaEngine.now()) }
        transport.onApplicationData = { [unowned self] bytes in self.dataChannels?.receive(bytes) }
    }

    var context: MediaContext { transport.context }
    public var isConnected: Bool { transport.state == .connected }

    func addPublished(_ track: PublishedTrack) {
        published.append(track)
        publishesVideo = published.contains { $0.kind == .video }
        if publishesVideo { context.wakePeer?(self) }
        for layer in track.layers {
            if let ssrc = layer.ssrc { layersBySSRC[ssrc] = LayerRoute(track, layer) }
            if let ssrc = layer.rtxSSRC { retransmissionsBySSRC[ssrc] = LayerRoute(track, layer) }
        }
    }

    func removePublished(_ track: PublishedTrack, now: Double) {
        published.removeAll { $0 === track }
        publishesVideo = published.contains { $0.kind == .video }
        layersBySSRC = layersBySSRC.filter { $0.value.track !== track }
        retransmissionsBySSRC = retransmissionsBySSRC.filter { $0.value.track !== track }
        track.detachAll(now: now)
        room.unpublish(track, now: now)
    }

    func addDownTrack(_ downTrack: DownTrack) {
        downTracks.append(downTrack)
        downTracksBySSRC[downTrack.ssrc] = downTrack
    }

    func removeDownTrack(_ downTrack: DownTrack, now: Double) {
        downTrack.switchSource(to: nil, now: now)
        downTracks.removeAll { $0 === downTrack }
        downTracksBySSRC[downTrack.ssrc] = nil
    }

    private func transportConnected() {
        startDataChannelsIfReady()
        observer?.peerConnectionDidConnect(self)
        let now = MediaEngine.now()
        for downTrack in downTracks { downTrack.source?.requestKeyframe(layer: downTrack.currentLayer ?? 0, now: now, context: context) }
    }

    func receive(_ bytes: UnsafeRawBufferPointer, from address: TransportAddress, now: Double) {
        switch transport.receive(bytes, from: address, now: now) {
        case .nothing:
            break
        case .rtp(let length):
            // Decrypted in the socket's receive scratch (WebRTCTransport.receive).
            handleRTP(UnsafeMutableRawBufferPointer(rebasing: transport.socket.receiveScratch[0..<length]), now: now)
        case .rtcp(let packets):
            handleRTCP(packets, now: now)
        }
    }

    private func handleRTP(_ packet: UnsafeMutableRawBufferPointer, now: Double) {
        guard let header = try? RTPHeader.parse(UnsafeRawBufferPointer(packet)) else {
            context.counters.malformedPackets += 1
            return
        }
        if let id = negotiation.receiveExtensionIDs.transportCC,
           let range = header.extensionElement(id: id, in: UnsafeRawBufferPointer(packet)), range.count >= 2 {
            let sequence = UInt16(packet[range.lowerBound]) << 8 | UInt16(packet[range.lowerBound + 1])
            if congestionFeedback == nil {
                // The media SSRC must be one the sender owns: libwebrtc drops transport feedback
                // for an SSRC it does not know (so 0 would leave its estimator without feedback).
                congestionFeedback = TransportFeedbackGenerator(senderSSRC: transport.rtcpSSRC, mediaSSRC: header.ssrc)
                context.wakePeer?(self)  // feedback every 50 ms from now on
            }
            congestionFeedback!.packetArrived(transportSequenceNumber: sequence, arrival: now)
        }
        if let route = layersBySSRC[header.ssrc] {
            route.track.receive(packet, header: header, layer: route.layer, now: now, context: context)
        } else if let route = retransmissionsBySSRC[header.ssrc] {
            route.track.receiveRetransmission(packet, header: header, layer: route.layer, now: now, context: context)
        } else if let (track, layer, repaired) = bindUnknownSSRC(header: header, packet: UnsafeRawBufferPointer(packet)) {
            if repaired {
                retransmissionsBySSRC[header.ssrc] = LayerRoute(track, layer)
                track.receiveRetransmission(packet, header: header, layer: layer, now: now, context: context)
            } else {
                layersBySSRC[header.ssrc] = LayerRoute(track, layer)
                track.receive(packet, header: header, layer: layer, now: now, context: context)
            }
        } else {
            context.counters.unroutablePackets += 1
        }
    }

    /// An SSRC the SDP did not announce (simulcast never announces them): find its m-line by
    /// the MID header extension (RFC 8843 §9.2) or by payload type, its layer by RID (RFC 8852).
    private func bindUnknownSSRC(header: RTPHeader, packet: UnsafeRawBufferPointer) -> (PublishedTrack, TrackLayer, Bool)? {
        let ids = negotiation.receiveExtensionIDs
        func text(_ id: UInt8?) -> String? {
            guard let id, let range = header.extensionElement(id: id, in: packet) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(rebasing: packet[range]), as: UTF8.self)
        }
        let track: PublishedTrack?
        if let mid = text(ids.mid) {
            track = published.first { $0.mid == mid }
        } else {
            track = published.first { $0.format(for: header.payloadType) != nil && $0.layers.contains { $0.ssrc == nil } }
        }
        guard let track, let format = track.format(for: header.payloadType) else { return nil }
        let repaired = format.family == .rtx
        let rid = repaired ? text(ids.repairedRID) : text(ids.rid)
        guard let layer = track.bind(ssrc: header.ssrc, rid: rid, repaired: repaired) else { return nil }
        return (track, layer, repaired)
    }

    private func handleRTCP(_ packets: [RTCPPacket], now: Double) {
        for packet in packets {
            switch packet {
            case .nack(let nack):
                context.counters.nackReceived += UInt64(nack.lostSequenceNumbers.count)
                guard let downTrack = downTracksBySSRC[nack.mediaSSRC] else { continue }
                for sequence in nack.lostSequenceNumbers { downTrack.retransmit(sequenceNumber: sequence, now: now) }
            case .pli(let pli):
                context.counters.pliReceived += 1
                if let downTrack = downTracksBySSRC[pli.mediaSSRC] {
                    downTrack.requestKeyframe(now: now)
                } else {
                    context.logger.debug("peer \(id): PLI for SSRC \(pli.mediaSSRC), which we do not send")
                }
            case .fir(let fir):
                context.counters.pliReceived += 1
                for entry in fir.entries { downTracksBySSRC[entry.ssrc]?.requestKeyframe(now: now) }
            case .senderReport(let report):
                layersBySSRC[report.ssrc]?.layer.receiveSenderReport(report, now: now)
            case .remb(let remb):
                receiveEstimate = (Double(remb.bitrate), now)
                context.counters.rembReceived += 1
            default:
                break  // RR, SDES, BYE, REMB, transport-cc: not acted on yet
            }
        }
    }

    /// Periodic work: NACKs toward the publisher; once a second, RR for what we receive and SR
    /// for what we send (RFC 3550 §6.2 interval, simplified to a fixed 1 s).
    /// How often, in 10 ms shard ticks, this peer has timed work: every tick while connecting
    /// (DTLS retransmissions, the connect deadline) or while publishing video (NACK scheduling);
    /// every 5th while it gets congestion feedback (due each 50 ms); otherwise only on the
    /// once-a-second report tick (sender and receiver reports, layer choice, consent deadline).
    /// So an idle subscriber costs one visit a second rather than a hundred.
    var tickCadence: Int {
        if transport.state != .connected || publishesVideo { return 1 }
        if congestionFeedback != nil, !published.isEmpty { return Self.congestionFeedbackTicks }
        return 100
    }
    static let congestionFeedbackTicks = 5
    private var publishesVideo = false
    /// The shard's timer for this peer (`MediaShard.tick`): its id there, and the tick of its
    /// next once-a-second report.
    var tickID: Int32 = -1
    var nextReportTick: Int64 = 0

    func tick(now: Double, wallClock: Double, reports: Bool) {
        transport.tick(now: now, dtlsDue: true)
        if transport.state != .connected {
            let waited = now - createdAt
            if waited > Self.connectTimeout || (waited > Self.firstCheckTimeout && !transport.hasValidCheck) {
                if transport.state != .closed { context.counters.transportsNeverConnected += 1 }
                close(reason: transport.hasValidCheck
                      ? "not connected within \(Int(Self.connectTimeout)) s"
                      : "no ICE connectivity check within \(Int(Self.firstCheckTimeout)) s: no candidate pair reaches this server",
                      now: now)
                return
            }
        }
        guard transport.state == .connected else { return }
        for track in published { track.sendDueNacks(now: now, context: context) }
        // 90 %: visited every 5th tick, a timer that fires a little early must not skip a round.
        if congestionFeedback != nil, now - lastCongestionFeedback >= Self.congestionFeedbackInterval * 0.9 {
            lastCongestionFeedback = now
            let feedback = congestionFeedback!.makeFeedback(now: now)
            if !feedback.isEmpty {
                if context.logger.logLevel <= .trace {
                    for f in feedback {
                        let lost = f.packets.filter { $0 == .notReceived }.count
                        context.logger.trace("TWCC base \(f.baseSequenceNumber) ref \(f.referenceTime) count \(f.feedbackPacketCount) packets \(f.packets.count) lost \(lost) deltas \(f.packets.prefix(6))")
                    }
                }
                transport.sendRTCP(feedback.map { .transportFeedback($0) })
            }
        }
        guard reports else { return }
        for downTrack in downTracks { downTrack.chooseLayer(now: now) }
        let blocks = published.flatMap { $0.makeReceptionReports(now: now) }
        if !blocks.isEmpty {
            context.logger.trace("RR \(blocks)")
            transport.sendRTCP([.receiverReport(ReceiverReport(ssrc: transport.rtcpSSRC, reports: Array(blocks.prefix(31))))])
        }
        for downTrack in downTracks {
            if let report = downTrack.makeSenderReport(now: now, wallClock: wallClock) { transport.sendRTCP(report) }
        }
    }

    /// Each video down track's share of the subscriber's REMB estimate; nil when it has sent
    /// none lately (then nothing is capped).
    func videoBandwidthShare(now: Double) -> Double? {
        guard let estimate = receiveEstimate, now - estimate.time < 5 else { return nil }
        let video = downTracks.filter { $0.kind == .video && !$0.isPaused && $0.source != nil }.count
        return estimate.bitsPerSecond / Double(max(1, video))
    }

    /// A peer that never completes ICE and DTLS is given up.
    static let connectTimeout = 30.0
    /// A peer none of whose candidate pairs reached us (no valid binding request at all: UDP
    /// blocked, a relay that refused its credentials) is given up sooner, and told so before
    /// the SDK stops waiting for its own connection (livekit's Rust core waits 15 s).
    static let firstCheckTimeout = 10.0

    /// Closes the transport; the room drops our tracks. Idempotent.
    public func close(reason: String, now: Double) {
        guard !isClosed else { return }
        isClosed = true
        transport.close(reason: reason)
        dataChannels?.close()
        dataChannels = nil
        for downTrack in downTracks { downTrack.switchSource(to: nil, now: now) }
        for track in published { track.detachAll(now: now) }
        room.remove(self, now: now)
        observer?.peerConnection(self, didClose: reason)
    }
}
