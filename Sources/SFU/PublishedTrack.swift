import RTP

/// A track arriving from a publisher: one `TrackLayer` per received stream (three for
/// simulcast), keyframe detection, NACKs toward the publisher, and the fan-out to every
/// subscriber's `DownTrack`.
public final class PublishedTrack {
    public let id: String
    public let kind: MediaKind
    public let mid: String
    unowned let publisher: PeerConnection
    /// Payload types the publisher may use, indexed by PT (0...127).
    private var formats: [PayloadFormat?] = Array(repeating: nil, count: 128)
    /// The same, only what the packet path needs (plain values: reading one retains nothing,
    /// where copying a `PayloadFormat` retains its strings).
    private var codecs: [(family: CodecFamily, clockRate: UInt32)?] = Array(repeating: nil, count: 128)
    /// The negotiated formats in the answer's preference order (the publisher sends the first).
    private let preferredFormats: [PayloadFormat]
    private(set) var layers: [TrackLayer]
    let audioLevelExtensionID: UInt8?
    var downTracks: [DownTrack] = []
    /// Recorders copying this track (see MediaTap).
    var taps: [TrackTap] = []
    /// Server- or publisher-side mute: nothing is forwarded while set.
    public var isMuted = false
    /// Most recent RFC 6464 audio level (0 loudest … 127 silence) and when it arrived.
    public private(set) var audioLevel: (level: UInt8, voiceActivity: Bool, time: Double)?
    /// In `MediaContext.leveledTracks` until the room host next asks for fresh levels.
    var levelQueued = false
    public var isSimulcast: Bool { layers.count > 1 }
    public var subscriberCount: Int { downTracks.count }

    deinit { LiveObjects.freed(.publishedTrack) }

    init(id: String, kind: MediaKind, mid: String, publisher: PeerConnection, formats: [PayloadFormat],
         layers: [(rid: String?, ssrc: UInt32?, rtxSSRC: UInt32?)], audioLevelExtensionID: UInt8?) {
        LiveObjects.made(.publishedTrack)
        self.id = id
        self.kind = kind
        self.mid = mid
        self.publisher = publisher
        self.audioLevelExtensionID = audioLevelExtensionID
        self.preferredFormats = formats
        for format in formats where format.payloadType < 128 {
            self.formats[Int(format.payloadType)] = format
            codecs[Int(format.payloadType)] = (format.family, format.clockRate)
        }
        let described = layers.isEmpty ? [(rid: String?.none, ssrc: UInt32?.none, rtxSSRC: UInt32?.none)] : layers
        self.layers = described.enumerated().map { index, layer in
            TrackLayer(index: Self.layerIndex(rid: layer.rid, position: index, count: described.count), rid: layer.rid,
                       ssrc: layer.ssrc, rtxSSRC: layer.rtxSSRC, keepsHistory: kind == .video)
        }
        self.layers.sort { $0.index < $1.index }
    }

    /// LiveKit names simulcast RIDs q/h/f (low/medium/high); other names keep SDP order.
    static func layerIndex(rid: String?, position: Int, count: Int) -> Int {
        switch rid {
        case "q": return 0
        case "h": return count > 2 ? 1 : min(1, count - 1)
        case "f": return count - 1
        default: return position
        }
    }

    /// e.g. `audio/opus`, `video/VP8`.
    public var primaryMimeType: String? { primaryFormat.map { "\(kind.rawValue)/\($0.name)" } }

    /// The codec subscribers are offered: the first of the answer's order, which is what a
    /// WebRTC publisher sends (not the lowest payload type: Chrome numbers AV1 below VP8).
    var primaryFormat: PayloadFormat? { preferredFormats.first { $0.family != .rtx } }

    func format(for payloadType: UInt8) -> PayloadFormat? {
        payloadType < 128 ? formats[Int(payloadType)] : nil
    }

    func layer(rid: String) -> TrackLayer? { layers.first { $0.rid == rid } }

    /// Binds an SSRC the SDP did not announce, by RID (RFC 8852) or, without one, to the
    /// first layer still lacking an SSRC.
    func bind(ssrc: UInt32, rid: String?, repaired: Bool) -> TrackLayer? {
        let layer = rid.flatMap { self.layer(rid: $0) } ?? layers.first { repaired ? $0.rtxSSRC == nil : $0.ssrc == nil }
        guard let layer else { return nil }
        if repaired {
            guard layer.rtxSSRC == nil else { return nil }
            layer.rtxSSRC = ssrc
        } else {
            guard layer.ssrc == nil else { return nil }
            layer.ssrc = ssrc
        }
        return layer
    }

    /// One decrypted RTP packet on a layer's media SSRC (RFC 3550 §5.1).
    func receive(_ packet: UnsafeMutableRawBufferPointer, header: RTPHeader, layer: TrackLayer, now: Double, context: MediaContext) {
        guard header.payloadType < 128, let format = codecs[Int(header.payloadType)], format.family != .rtx else {
            context.counters.malformedPackets += 1
            return
        }
        context.counters.rtpPacketsReceived += 1
        context.counters.rtpBytesReceived += UInt64(packet.count)
        let bytes = UnsafeRawBufferPointer(packet)
        let payload = UnsafeRawBufferPointer(rebasing: packet[header.payloadOffset..<(header.payloadOffset + header.payloadLength)])
        let isKeyframe: Bool
        switch format.family {
        case .vp8: isKeyframe = VP8Payload.isKeyframe(payload)
        case .h264: isKeyframe = H264Payload.isKeyframe(payload)
        case .vp9: isKeyframe = VP9Payload.isKeyframe(payload)
        case .opus: isKeyframe = true
        default: isKeyframe = false
        }
        if layer.record(bytes, header: header, clockRate: format.clockRate, isKeyframe: isKeyframe, now: now) {
            context.counters.packetsRecovered += 1
        }
        if kind == .audio, let id = audioLevelExtensionID, let range = header.extensionElement(id: id, in: bytes), !range.isEmpty {
            let byte = bytes[range.lowerBound]  // RFC 6464 §3: V bit + 7-bit level
            audioLevel = (byte & 0x7F, byte & 0x80 != 0, now)
            if !levelQueued {
                levelQueued = true
                context.leveledTracks.append((self, publisher.room.name))
            }
        }
        guard !isMuted, header.payloadLength > 0 else { return }
        if !taps.isEmpty { feedTaps(bytes, layer: layer.index, isKeyframe: isKeyframe, now: now) }
        for downTrack in downTracks {
            downTrack.forward(bytes, header: header, layer: layer.index, isKeyframe: isKeyframe, now: now)
        }
    }

    private func feedTaps(_ packet: UnsafeRawBufferPointer, layer: Int, isKeyframe: Bool, now: Double) {
        for tap in taps where tap.layer == layer {
            if tap.waitingForKeyframe {
                guard isKeyframe else {
                    // Keep asking (rate limited): the first request may have been swallowed.
                    requestKeyframe(layer: layer, now: now, context: publisher.transport.context)
                    continue
                }
                tap.waitingForKeyframe = false
            }
            if tap.sink.tap(trackID: id, packet: packet, arrival: now) {
                publisher.transport.context.queueTapFlush(tap.sink)
            }
        }
    }

    /// An RTX packet (RFC 4588 §4): the first two payload bytes are the original sequence number.
    /// Restores the original packet in place and processes it as media.
    func receiveRetransmission(_ packet: UnsafeMutableRawBufferPointer, header: RTPHeader, layer: TrackLayer, now: Double, context: MediaContext) {
        guard let mediaSSRC = layer.ssrc, let rtx = format(for: header.payloadType), let apt = rtx.associatedPayloadType else { return }
        guard header.payloadLength >= 2 else { return }  // padding-only probe: nothing to restore
        let payloadStart = header.payloadOffset
        let originalSequence = UInt16(packet[payloadStart]) << 8 | UInt16(packet[payloadStart + 1])
        // Slide the header two bytes right, over the OSN, and rewrite SSRC, PT, sequence. The
        // restored packet is the RTX packet less the OSN: header, original payload, and any
        // padding (its P bit and count octet stay valid, RFC 3550 §5.1).
        let base = packet.baseAddress!
        (base + 2).copyMemory(from: base, byteCount: payloadStart)
        let restoredLength = header.payloadOffset + header.payloadLength - 2 + header.paddingLength
        let restored = UnsafeMutableRawBufferPointer(start: base + 2, count: restoredLength)
        RTPHeader.writeSequenceNumber(originalSequence, into: restored)
        RTPHeader.writeSSRC(mediaSSRC, into: restored)
        RTPHeader.writePayloadType(apt, marker: header.marker, into: restored)
        guard let restoredHeader = try? RTPHeader.parse(UnsafeRawBufferPointer(restored)) else {
            context.counters.malformedPackets += 1
            return
        }
        receive(restored, header: restoredHeader, layer: layer, now: now, context: context)
    }

    /// PLI toward the publisher for one layer (RFC 4585 §6.3.1), rate limited.
    func requestKeyframe(layer index: Int, now: Double, context: MediaContext) {
        guard kind == .video, let layer = layers.first(where: { $0.index == index }),
              layer.shouldRequestKeyframe(now: now), let ssrc = layer.ssrc else { return }
        let transport = publisher.transport
        transport.sendRTCP([.pli(PictureLossIndication(senderSSRC: transport.rtcpSSRC, mediaSSRC: ssrc))])
        context.counters.pliSent += 1
    }

    /// Timer work: NACKs for gaps (RFC 4585 §6.2.1).
    func sendDueNacks(now: Double, context: MediaContext) {
        guard kind == .video else { return }
        for layer in layers {
            let due = layer.dueNacks(now: now)
            guard !due.isEmpty, let ssrc = layer.ssrc else { continue }
            let transport = publisher.transport
            transport.sendRTCP([.nack(GenericNACK(senderSSRC: transport.rtcpSSRC, mediaSSRC: ssrc, lostSequenceNumbers: due))])
            context.counters.nackSent += UInt64(due.count)
        }
    }

    func makeReceptionReports(now: Double) -> [ReceptionReport] {
        layers.compactMap { $0.makeReceptionReport(now: now) }
    }

    /// Reception totals over all layers: packets expected and lost, worst jitter in seconds.
    public var receptionTotals: (expected: UInt64, lost: UInt64, jitterSeconds: Double) {
        var expected: UInt64 = 0
        var lost: UInt64 = 0
        var jitter = 0.0
        for layer in layers {
            guard let stats = layer.receiveStatistics, let format = primaryFormat else { continue }
            let layerLost = UInt64(max(0, stats.cumulativeLost))
            expected += stats.packetsReceived + layerLost
            lost += layerLost
            jitter = max(jitter, stats.jitter / Double(format.clockRate))
        }
        return (expected, lost, jitter)
    }

    func layer(index: Int) -> TrackLayer? { layers.first { $0.index == index } }

    /// Indexes of layers receiving media now.
    func activeLayers(now: Double) -> [Bool] {
        let top = (layers.map(\.index).max() ?? 0)
        var active = [Bool](repeating: false, count: top + 1)
        for layer in layers where layer.isActive(now: now) { active[layer.index] = true }
        return active
    }

    /// Detaches every subscriber (the publisher went away or unpublished).
    func detachAll(now: Double) {
        for downTrack in downTracks { downTrack.switchSource(to: nil, now: now) }
    }
}
