import RTP

/// One received RTP stream of a track: the only one for a plain track, one per RID for a
/// simulcast track (RFC 8853). Reception statistics, NACK generation, the retransmission
/// buffer, keyframe requests and the bitrate it currently arrives at.
final class TrackLayer {
    /// 0 = lowest quality. For simulcast: q = 0, h = 1, f = 2 (LiveKit's RIDs).
    let index: Int
    let rid: String?
    var ssrc: UInt32?
    var rtxSSRC: UInt32?
    private var statistics: ReceiveStatistics?
    private var nackGenerator = NackGenerator()
    private(set) var retransmissionBuffer: RetransmissionBuffer?
    private var lastKeyframeRequest = -Double.infinity
    /// Last sender report: NTP ↔ RTP mapping for lip-sync (RFC 3550 §6.4.1).
    private(set) var lastSenderReport: (ntp: UInt64, rtpTimestamp: UInt32, arrival: Double)?
    private(set) var lastPacketTime = -Double.infinity
    private var bytesThisSecond = 0
    private var secondStarted = 0.0
    /// Bits per second over the last full second.
    private(set) var bitrate: Double = 0
    private(set) var lastKeyframeTime = -Double.infinity
    static let keyframeRequestInterval = 0.3

    init(index: Int, rid: String?, ssrc: UInt32?, rtxSSRC: UInt32?, keepsHistory: Bool) {
        self.index = index
        self.rid = rid
        self.ssrc = ssrc
        self.rtxSSRC = rtxSSRC
        if keepsHistory { retransmissionBuffer = RetransmissionBuffer(capacity: 1024, maxPacketSize: 1500) }
    }

    /// A layer is active while packets keep arriving.
    func isActive(now: Double) -> Bool { now - lastPacketTime < 1.0 }

    /// Bookkeeping for one packet. Returns true if it filled a gap we had NACKed.
    func record(_ packet: UnsafeRawBufferPointer, header: RTPHeader, clockRate: UInt32, isKeyframe: Bool, now: Double) -> Bool {
        if statistics == nil { statistics = ReceiveStatistics(clockRate: clockRate) }
        statistics!.packetReceived(sequenceNumber: header.sequenceNumber, rtpTimestamp: header.timestamp, arrivalSeconds: now)
        lastPacketTime = now
        if isKeyframe { lastKeyframeTime = now }
        if now - secondStarted >= 1 {
            bitrate = Double(bytesThisSecond * 8) / max(1, now - secondStarted)
            bytesThisSecond = 0
            secondStarted = now
        }
        bytesThisSecond += packet.count
        guard retransmissionBuffer != nil else { return false }
        let missingBefore = nackGenerator.missingCount
        nackGenerator.packetReceived(sequenceNumber: header.sequenceNumber, now: now)
        retransmissionBuffer!.store(sequenceNumber: header.sequenceNumber, packet: packet, now: now)
        return nackGenerator.missingCount < missingBefore
    }

    func receiveSenderReport(_ report: SenderReport, now: Double) {
        lastSenderReport = (report.ntpTimestamp, report.rtpTimestamp, now)
    }

    /// Rate limit for PLI (RFC 4585 §6.3.1) toward the publisher.
    func shouldRequestKeyframe(now: Double) -> Bool {
        guard ssrc != nil, now - lastKeyframeRequest >= Self.keyframeRequestInterval else { return false }
        lastKeyframeRequest = now
        return true
    }

    func dueNacks(now: Double) -> [UInt16] {
        guard retransmissionBuffer != nil, ssrc != nil else { return [] }
        return nackGenerator.dueNacks(now: now)
    }

    /// Receiver report block (RFC 3550 §6.4.2), with LSR/DLSR from the layer's last SR.
    func makeReceptionReport(now: Double) -> ReceptionReport? {
        guard let ssrc, statistics != nil else { return nil }
        var lsr: UInt32 = 0
        var dlsr: UInt32 = 0
        if let sr = lastSenderReport {
            lsr = NTPTime.compact(sr.ntp)
            dlsr = UInt32(max(0, (now - sr.arrival) * 65536))
        }
        return statistics!.makeReport(ssrc: ssrc, lastSR: lsr, delaySinceLastSR: dlsr)
    }

    var receiveStatistics: ReceiveStatistics? { statistics }
}
