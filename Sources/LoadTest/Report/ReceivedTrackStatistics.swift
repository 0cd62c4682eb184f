import RTP

/// What one subscriber saw of one track: RFC 3550 reception statistics (sequence gaps as
/// loss, §6.4.1 interarrival jitter; `RTP.ReceiveStatistics`) and how long the first packet
/// took after we accepted the track.
public struct ReceivedTrackStatistics: Sendable {
    public let kind: String
    public let trackSID: String
    public let ssrc: UInt32
    /// When our answer accepting the track was sent (monotonic seconds).
    public let acceptedAt: Double
    public private(set) var firstPacketAt: Double?
    private var statistics: ReceiveStatistics

    public init(kind: String, trackSID: String, ssrc: UInt32, clockRate: UInt32, acceptedAt: Double) {
        self.kind = kind
        self.trackSID = trackSID
        self.ssrc = ssrc
        self.acceptedAt = acceptedAt
        statistics = ReceiveStatistics(clockRate: clockRate)
    }

    @inline(__always)
    public mutating func packetArrived(sequenceNumber: UInt16, timestamp: UInt32, now: Double) {
        if firstPacketAt == nil { firstPacketAt = now }
        statistics.packetReceived(sequenceNumber: sequenceNumber, rtpTimestamp: timestamp, arrivalSeconds: now)
    }

    public var hasMedia: Bool { firstPacketAt != nil }
    public var packetsReceived: UInt64 { statistics.packetsReceived }
    /// Packets the sequence numbers say were sent, from the first one received to the newest.
    public var packetsExpected: UInt64 { UInt64(max(0, Int64(clamping: statistics.packetsReceived) + statistics.cumulativeLost)) }
    public var packetsLost: UInt64 { UInt64(max(0, statistics.cumulativeLost)) }
    /// RFC 3550 §6.4.1 jitter in milliseconds.
    public var jitterMilliseconds: Double { statistics.jitter / Double(statistics.clockRate) * 1000 }
    /// Milliseconds from accepting the track to its first packet.
    public var firstPacketMilliseconds: Double? { firstPacketAt.map { ($0 - acceptedAt) * 1000 } }

    /// An RFC 3550 §6.4.1 report block for our receiver reports.
    public mutating func makeReport() -> ReceptionReport {
        statistics.makeReport(ssrc: ssrc, lastSR: 0, delaySinceLastSR: 0)
    }
}
