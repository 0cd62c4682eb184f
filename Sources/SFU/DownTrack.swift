import Foundation
import RTP

/// One subscriber's copy of a track: its own SSRC, sequence numbers and timestamps
/// (`SequenceRewriter`), payload types and header extensions of the subscriber's SDP,
/// keyframe gating, NACK answers from the publisher-side buffer, and sender reports.
public final class DownTrack {
    public let ssrc: UInt32
    public let kind: MediaKind
    /// The m-line carrying this copy; empty until a single peer connection's answer binds it
    /// to one of the client's receive-only sections.
    public private(set) var mid: String
    /// The MID header extension value (RFC 8843 §15), computed once.
    private var midBytes: [UInt8]
    let cname: String
    unowned let subscriber: PeerConnection
    /// The subscriber's transport, held directly: the packet path reaches it without loading
    /// the unowned subscriber reference (an atomic retain and release a packet).
    let transport: WebRTCTransport
    /// Payload types the subscriber negotiated for this m-line (empty until negotiated).
    private(set) var formats: [PayloadFormat]
    private(set) var midExtensionID: UInt8?
    private(set) var audioLevelExtensionID: UInt8?
    /// abs-send-time (for the subscriber's REMB estimate), when negotiated.
    private(set) var absSendTimeExtensionID: UInt8?
    /// The track forwarded, held strongly: a weak reference would give every `PublishedTrack`
    /// a side table, and each retain of it on the packet path would take the slow path.
    /// The cycle with `PublishedTrack.downTracks` is broken by `switchSource(to: nil)`, which
    /// every way out takes: the subscriber's `removeDownTrack` and `close`, the publisher's
    /// `removePublished` and `close` (`detachAll`), and `Room.unpublish` for WHEP followers.
    public private(set) var source: PublishedTrack?
    /// The source's audio-level extension id, kept with `source` so that sending does not load
    /// the source.
    private var sourceAudioLevelExtensionID: UInt8?
    /// Simulcast: the layer being forwarded, and the one we want (switch on its next keyframe).
    public private(set) var currentLayer: Int?
    public var targetLayer: Int = Int.max
    /// Subscriber-side pause (LiveKit `UpdateTrackSettings.disabled`, or unsubscribed m-line).
    public var isPaused = false
    private var rewriter: SequenceRewriter
    /// Publisher PT → subscriber PT (0xFF: cannot forward).
    private var payloadTypeMap = [UInt8](repeating: 0xFF, count: 128)
    private var waitingForKeyframe: Bool
    private var packetsSent: UInt32 = 0
    private var octetsSent: UInt32 = 0
    /// Ring of recently sent packets: subscriber sequence → (publisher sequence, timestamp offset).
    /// One slot per sent packet, indexed by our sequence number mod `historySize`; raw memory
    /// owned here, so that recording a packet is one store (arrays would each check uniqueness).
    private struct SentPacket {
        var sequenceNumber: UInt16 = 0
        var sourceSequenceNumber: UInt16 = 0
        var timestampOffset: UInt32 = 0
        var layer: UInt8 = 0
        var isValid = false
    }
    private static let historySize = 2048
    private let history: UnsafeMutablePointer<SentPacket> = {
        let ring = UnsafeMutablePointer<SentPacket>.allocate(capacity: DownTrack.historySize)
        ring.initialize(repeating: SentPacket(), count: DownTrack.historySize)
        return ring
    }()

    init(ssrc: UInt32, kind: MediaKind, mid: String, cname: String, subscriber: PeerConnection,
         formats: [PayloadFormat], midExtensionID: UInt8?, audioLevelExtensionID: UInt8?) {
        LiveObjects.made(.downTrack)
        self.ssrc = ssrc
        self.kind = kind
        self.mid = mid
        self.midBytes = Array(mid.utf8.prefix(16))
        self.cname = cname
        self.subscriber = subscriber
        self.transport = subscriber.transport
        self.formats = formats
        self.midExtensionID = midExtensionID
        self.audioLevelExtensionID = audioLevelExtensionID
        let clockRate = formats.first { $0.family != .rtx }?.clockRate ?? (kind == .audio ? 48000 : 90000)
        self.rewriter = SequenceRewriter(clockRate: clockRate, initialSequence: .random(in: 0...UInt16.max),
                                         initialTimestamp: .random(in: 0...UInt32.max))
        self.waitingForKeyframe = kind == .video
    }

    deinit {
        LiveObjects.freed(.downTrack)
        history.deinitialize(count: Self.historySize)
        history.deallocate()
    }

    var context: MediaContext { transport.context }

    /// Binds the copy to the m-line that will carry it (single peer connection answers).
    func bind(mid: String) {
        self.mid = mid
        midBytes = Array(mid.utf8.prefix(16))
    }

    /// The subscriber lost a picture (PLI/FIR): ask the publisher for the layer we forward.
    /// A pending switch asks for the wanted layer: its keyframe both repairs and switches.
    func requestKeyframe(now: Double) {
        context.logger.debug("down track \(ssrc): subscriber PLI (forwarding \(currentLayer.map(String.init) ?? "none"), waiting for \(pendingLayer.map(String.init) ?? "none"), \(packetsSent) packets sent)")
        source?.requestKeyframe(layer: pendingLayer ?? currentLayer ?? 0, now: now, context: context)
    }

    /// Sets what the subscriber's SDP settled for this m-line (after an answer to our offer).
    func setNegotiated(formats: [PayloadFormat], midExtensionID: UInt8?, audioLevelExtensionID: UInt8?,
                       absSendTimeExtensionID: UInt8? = nil, now: Double) {
        self.formats = formats
        self.midExtensionID = midExtensionID
        self.audioLevelExtensionID = audioLevelExtensionID
        self.absSendTimeExtensionID = absSendTimeExtensionID
        let source = self.source
        switchSource(to: source, now: now)
    }

    /// The layer to forward: the subscriber's wish (`targetLayer`), capped by its share of
    /// the bandwidth it reports (REMB), falling back to the nearest active layer; upgrades wait
    /// until the estimate has covered the higher layer for a while (SimulcastLayerSelector).
    func chooseLayer(now: Double) {
        guard let source, source.isSimulcast else { return }
        let active = source.activeLayers(now: now)
        if layerSelector?.availableLayers != active.count { layerSelector = SimulcastLayerSelector(availableLayers: active.count) }
        let bitrates = (0..<active.count).map { source.layer(index: $0)?.bitrate ?? 0 }
        layerSelector!.setPreference(disabled: false, quality: targetLayer == Int.max ? nil : targetLayer,
                                     width: nil, height: nil, layerWidths: [], layerHeights: [])
        layerSelector!.setActiveLayers(active)
        layerSelector!.setBandwidth(estimate: subscriber.videoBandwidthShare(now: now), layerBitrates: bitrates)
        guard let choice = layerSelector!.targetLayer(now: now), choice != currentLayer, choice != pendingLayer else { return }
        context.logger.debug("down track \(ssrc) of \(source.id): wants layer \(choice) (forwarding \(currentLayer.map(String.init) ?? "none"), was waiting for \(pendingLayer.map(String.init) ?? "none"), active \(active), bitrates \(bitrates))")
        pendingLayer = choice
        source.requestKeyframe(layer: choice, now: now, context: context)
    }
    private var layerSelector: SimulcastLayerSelector?
    private var pendingLayer: Int?

    /// Starts forwarding `track` (or nothing). The next packet continues our sequence space;
    /// video waits for a keyframe, which is requested now.
    func switchSource(to track: PublishedTrack?, now: Double) {
        if let old = source { old.downTracks.removeAll { $0 === self } }
        source = track
        sourceAudioLevelExtensionID = track?.audioLevelExtensionID
        payloadTypeMap = [UInt8](repeating: 0xFF, count: 128)
        guard let track else { return }
        track.downTracks.append(self)
        currentLayer = nil
        pendingLayer = nil
        for pt in 0..<128 {
            guard let from = track.format(for: UInt8(pt)), from.family != .rtx else { continue }
            if let to = formats.first(where: { $0.matches(from) }) { payloadTypeMap[pt] = to.payloadType }
        }
        waitingForKeyframe = kind == .video
        let active = track.activeLayers(now: now)
        let start = track.isSimulcast ? ((0...min(targetLayer, active.count - 1)).reversed().first { active[$0] } ?? 0) : 0
        pendingLayer = start
        if kind == .video {
            context.logger.debug("down track \(ssrc) of \(track.id): starts on layer \(start), active \(active)")
            track.requestKeyframe(layer: start, now: now, context: context)
        }
    }

    func forward(_ packet: UnsafeRawBufferPointer, header: RTPHeader, layer: Int, isKeyframe: Bool, now: Double) {
        guard !isPaused, !formats.isEmpty, transport.state == .connected else { return }
        if let pending = pendingLayer, layer == pending, isKeyframe || kind == .audio {
            // Switch (or start) on a keyframe of the wanted layer; the rewriter sees a new SSRC
            // and keeps our sequence numbers and timestamps continuous.
            if kind == .video { context.logger.debug("down track \(ssrc): forwards layer \(pending) (was \(currentLayer.map(String.init) ?? "none"))") }
            currentLayer = pending
            pendingLayer = nil
            waitingForKeyframe = false
        } else if let pending = pendingLayer, layer == pending {
            // Keep asking (throttled per layer) until the switch happens: one PLI or keyframe
            // lost while the forwarded layer has stopped would otherwise freeze the picture.
            source?.requestKeyframe(layer: pending, now: now, context: context)
        }
        guard layer == currentLayer else { return }
        if waitingForKeyframe {
            guard isKeyframe else {
                source?.requestKeyframe(layer: layer, now: now, context: context)
                return
            }
            waitingForKeyframe = false
        }
        guard header.payloadType < 128 else { return }
        let outPayloadType = payloadTypeMap[Int(header.payloadType)]
        guard outPayloadType != 0xFF else { return }
        guard let out = rewriter.rewrite(ssrc: header.ssrc, sequenceNumber: header.sequenceNumber,
                                         timestamp: header.timestamp, now: now) else { return }
        history[Int(out.sequenceNumber) & (Self.historySize - 1)] = SentPacket(
            sequenceNumber: out.sequenceNumber, sourceSequenceNumber: header.sequenceNumber,
            timestampOffset: out.timestamp &- header.timestamp, layer: UInt8(truncatingIfNeeded: layer), isValid: true)
        send(packet, header: header, payloadType: outPayloadType, sequenceNumber: out.sequenceNumber, timestamp: out.timestamp, now: now)
        packetsSent &+= 1
        octetsSent &+= UInt32(header.payloadLength)
    }

    /// Answers one NACKed sequence number from the publisher-side buffer (RFC 4585 §6.2.1).
    func retransmit(sequenceNumber: UInt16, now: Double) {
        let entry = history[Int(sequenceNumber) & (Self.historySize - 1)]
        guard entry.isValid, entry.sequenceNumber == sequenceNumber, let source,
              let buffer = source.layer(index: Int(entry.layer))?.retransmissionBuffer else {
            context.counters.nackMissed += 1
            return
        }
        let sourceSequence = entry.sourceSequenceNumber
        let offset = entry.timestampOffset
        let sent: Bool? = buffer.withPacket(sequenceNumber: sourceSequence, maxAge: 2.0, now: now) { packet -> Bool in
            guard let header = try? RTPHeader.parse(packet), header.payloadType < 128 else { return false }
            let outPayloadType = payloadTypeMap[Int(header.payloadType)]
            guard outPayloadType != 0xFF else { return false }
            send(packet, header: header, payloadType: outPayloadType, sequenceNumber: sequenceNumber,
                 timestamp: header.timestamp &+ offset, now: now)
            return true
        }
        if sent == true { context.counters.nackAnswered += 1 } else { context.counters.nackMissed += 1 }
    }

    /// Writes our header (with the subscriber's extension ids) and the payload into the socket
    /// scratch buffer, then protects and sends it.
    private func send(_ packet: UnsafeRawBufferPointer, header: RTPHeader, payloadType: UInt8,
                      sequenceNumber: UInt16, timestamp: UInt32, now: Double) {
        var writer = RTPHeaderWriter(payloadType: payloadType, marker: header.marker,
                                     sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc)
        if let id = midExtensionID {
            midBytes.withUnsafeBytes { _ = writer.addExtension(id: id, value: $0) }
        }
        if let id = absSendTimeExtensionID {
            // 6.18 fixed-point seconds, 24 bits (webrtc.org abs-send-time).
            let value = UInt32(truncatingIfNeeded: Int64(now * 262_144)) & 0xFF_FFFF
            withUnsafeBytes(of: value.bigEndian) { bytes in
                _ = writer.addExtension(id: id, value: UnsafeRawBufferPointer(rebasing: bytes[1..<4]))
            }
        }
        if let id = audioLevelExtensionID, let sourceID = sourceAudioLevelExtensionID,
           let range = header.extensionElement(id: sourceID, in: packet) {
            writer.addExtension(id: id, value: UnsafeRawBufferPointer(rebasing: packet[range]))
        }
        let scratch = transport.socket.scratch
        let headerLength = writer.byteCount
        let total = headerLength + header.payloadLength
        guard total + 64 <= scratch.count else { return }
        _ = writer.write(into: scratch)
        let payload = UnsafeRawBufferPointer(rebasing: packet[header.payloadOffset..<(header.payloadOffset + header.payloadLength)])
        UnsafeMutableRawBufferPointer(rebasing: scratch[headerLength..<total]).copyMemory(from: payload)
        transport.sendScratchRTP(length: total)
    }

    /// Sender report + SDES CNAME (RFC 3550 §6.4.1, §6.5.1). When the publisher sent an SR, its
    /// NTP↔RTP mapping is carried over (shifted by our timestamp offset) so the subscriber can
    /// lip-sync audio and video; otherwise the clock is extrapolated from the last packet.
    func makeSenderReport(now: Double, wallClock: Double) -> [RTCPPacket]? {
        guard rewriter.hasStarted else { return nil }
        let clockRate = Double(rewriter.clockRate)
        let rtpTimestamp: UInt32
        if let layer = currentLayer, let sr = source?.layer(index: layer)?.lastSenderReport {
            let srUnix = Double(sr.ntp >> 32) - 2_208_988_800 + Double(sr.ntp & 0xFFFF_FFFF) / 4_294_967_296
            let elapsed = wallClock - srUnix
            rtpTimestamp = rewriter.outputTimestamp(forSource: sr.rtpTimestamp) &+ UInt32(truncatingIfNeeded: Int64(elapsed * clockRate))
        } else {
            let elapsed = max(0, now - rewriter.lastWallClock)
            rtpTimestamp = rewriter.lastTimestamp &+ UInt32(truncatingIfNeeded: Int64(elapsed * clockRate))
        }
        let report = SenderReport(ssrc: ssrc, ntpTimestamp: NTPTime.fromUnix(seconds: wallClock), rtpTimestamp: rtpTimestamp,
                                  packetCount: packetsSent, octetCount: octetsSent, reports: [])
        return [.senderReport(report), .sourceDescription([SDESChunk(ssrc: ssrc, cname: cname)])]
    }
}
