import RTP

/// A track arriving from a publisher: reception statistics, NACK generation toward the
/// publisher, a retransmission buffer for subscribers' NACKs, keyframe requests, and the
/// fan-out to every subscriber's `DownTrack`.
final class PublishedTrack {
    let id: String
    let kind: MediaKind
    let mid: String
    unowned let publisher: PeerConnection
    /// Payload types the publisher may use, indexed by PT (0...127).
    private(set) var formats: [PayloadFormat?] = Array(repeating: nil, count: 128)
    private(set) var mediaSSRC: UInt32?
    private(set) var rtxSSRC: UInt32?
    /// Header extension ids the publisher negotiated.
    let audioLevelExtensionID: UInt8?
    var downTracks: [DownTrack] = []

    private var statistics: ReceiveStatistics?
    private var nackGenerator = NackGenerator()
    private(set) var retransmissionBuffer: RetransmissionBuffer?
    private var lastKeyframeRequest = -Double.infinity
    /// Last sender report from the publisher: NTP ↔ RTP mapping for lip-sync (RFC 3550 §6.4.1).
    private(set) var lastSenderReport: (ntp: UInt64, rtpTimestamp: UInt32, arrival: Double)?
    static let keyframeRequestInterval = 0.3

    init(id: String, kind: MediaKind, mid: String, publisher: PeerConnection, formats: [PayloadFormat],
         mediaSSRC: UInt32?, rtxSSRC: UInt32?, audioLevelExtensionID: UInt8?) {
        self.id = id
        self.kind = kind
        self.mid = mid
        self.publisher = publisher
        self.mediaSSRC = mediaSSRC
        self.rtxSSRC = rtxSSRC
        self.audioLevelExtensionID = audioLevelExtensionID
        for format in formats where format.payloadType < 128 { self.formats[Int(format.payloadType)] = format }
        if kind == .video { retransmissionBuffer = RetransmissionBuffer(capacity: 1024, maxPacketSize: 1500) }
    }

    var primaryFormat: PayloadFormat? { formats.lazy.compactMap { $0 }.first { $0.family != .rtx } }

    func format(for payloadType: UInt8) -> PayloadFormat? {
        payloadType < 128 ? formats[Int(payloadType)] : nil
    }

    /// True if this track accepts a packet with this PT from an SSRC not signalled in SDP.
    func claims(payloadType: UInt8) -> Bool { format(for: payloadType) != nil }

    func bind(ssrc: UInt32, payloadType: UInt8) -> Bool {
        guard let format = format(for: payloadType) else { return false }
        if format.family == .rtx {
            guard rtxSSRC == nil else { return false }
            rtxSSRC = ssrc
        } else {
            guard mediaSSRC == nil else { return false }
            mediaSSRC = ssrc
        }
        return true
    }

    /// One decrypted RTP packet from the publisher (RFC 3550 §5.1), on the media SSRC.
    func receive(_ packet: UnsafeMutableRawBufferPointer, header: RTPHeader, now: Double, context: MediaContext) {
        guard let format = format(for: header.payloadType), format.family != .rtx else {
            context.counters.malformedPackets += 1
            return
        }
        if statistics == nil { statistics = ReceiveStatistics(clockRate: format.clockRate) }
        statistics!.packetReceived(sequenceNumber: header.sequenceNumber, rtpTimestamp: header.timestamp, arrivalSeconds: now)
        context.counters.rtpPacketsReceived += 1
        context.counters.rtpBytesReceived += UInt64(packet.count)
        if kind == .video {
            let missingBefore = nackGenerator.missingCount
            nackGenerator.packetReceived(sequenceNumber: header.sequenceNumber, now: now)
            if nackGenerator.missingCount < missingBefore { context.counters.packetsRecovered += 1 }
            retransmissionBuffer?.store(sequenceNumber: header.sequenceNumber, packet: UnsafeRawBufferPointer(packet), now: now)
        }
        let payload = UnsafeRawBufferPointer(rebasing: packet[header.payloadOffset..<(header.payloadOffset + header.payloadLength)])
        let isKeyframe: Bool
        switch format.family {
        case .vp8: isKeyframe = VP8Payload.isKeyframe(payload)
        case .h264: isKeyframe = H264Payload.isKeyframe(payload)
        case .vp9: isKeyframe = VP9Payload.isKeyframe(payload)
        case .opus: isKeyframe = true
        default: isKeyframe = false
        }
        let bytes = UnsafeRawBufferPointer(packet)
        for downTrack in downTracks {
            downTrack.forward(bytes, header: header, isKeyframe: isKeyframe, now: now)
        }
    }

    /// An RTX packet (RFC 4588 §4): the first two payload bytes are the original sequence number.
    /// Restores the original packet in place and processes it as media.
    func receiveRetransmission(_ packet: UnsafeMutableRawBufferPointer, header: RTPHeader, now: Double, context: MediaContext) {
        guard let mediaSSRC, let rtx = format(for: header.payloadType), let apt = rtx.associatedPayloadType else { return }
        guard header.payloadLength >= 2 else { return }  // padding-only probe: nothing to restore
        let payloadStart = header.payloadOffset
        let originalSequence = UInt16(packet[payloadStart]) << 8 | UInt16(packet[payloadStart + 1])
        // Slide the header two bytes right, over the OSN, and rewrite SSRC, PT, sequence.
        let base = packet.baseAddress!
        (base + 2).copyMemory(from: base, byteCount: payloadStart)
        let restored = UnsafeMutableRawBufferPointer(start: base + 2, count: header.payloadOffset + header.payloadLength)
        RTPHeader.writeSequenceNumber(originalSequence, into: restored)
        RTPHeader.writeSSRC(mediaSSRC, into: restored)
        RTPHeader.writePayloadType(apt, marker: header.marker, into: restored)
        guard let restoredHeader = try? RTPHeader.parse(UnsafeRawBufferPointer(restored)) else {
            context.counters.malformedPackets += 1
            return
        }
        receive(restored, header: restoredHeader, now: now, context: context)
    }

    func receiveSenderReport(_ report: SenderReport, now: Double) {
        lastSenderReport = (report.ntpTimestamp, report.rtpTimestamp, now)
    }

    /// PLI toward the publisher (RFC 4585 §6.3.1), at most every `keyframeRequestInterval`.
    func requestKeyframe(now: Double, context: MediaContext) {
        guard kind == .video, let mediaSSRC, now - lastKeyframeRequest >= Self.keyframeRequestInterval else { return }
        lastKeyframeRequest = now
        let transport = publisher.transport
        transport.sendRTCP([.pli(PictureLossIndication(senderSSRC: transport.rtcpSSRC, mediaSSRC: mediaSSRC))])
        context.counters.pliSent += 1
    }

    /// Timer work: NACKs for gaps (RFC 4585 §6.2.1).
    func sendDueNacks(now: Double, context: MediaContext) {
        guard kind == .video, let mediaSSRC else { return }
        let due = nackGenerator.dueNacks(now: now)
        guard !due.isEmpty else { return }
        let transport = publisher.transport
        transport.sendRTCP([.nack(GenericNACK(senderSSRC: transport.rtcpSSRC, mediaSSRC: mediaSSRC, lostSequenceNumbers: due))])
        context.counters.nackSent += UInt64(due.count)
    }

    /// Receiver report block for this source (RFC 3550 §6.4.2), with LSR/DLSR from its last SR.
    func makeReceptionReport(now: Double) -> ReceptionReport? {
        guard let mediaSSRC, statistics != nil else { return nil }
        var lsr: UInt32 = 0
        var dlsr: UInt32 = 0
        if let sr = lastSenderReport {
            lsr = NTPTime.compact(sr.ntp)
            dlsr = UInt32(max(0, (now - sr.arrival) * 65536))
        }
        return statistics!.makeReport(ssrc: mediaSSRC, lastSR: lsr, delaySinceLastSR: dlsr)
    }
}
