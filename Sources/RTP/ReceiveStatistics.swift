/// Per-source reception statistics for building receiver report blocks: RFC 3550 §6.4.1,
/// Appendix A.1 (extended sequence numbers), A.3 (expected/lost, fraction lost since the previous
/// report) and A.8 (interarrival jitter).
public struct ReceiveStatistics: Sendable {
    public let clockRate: UInt32

    private var unwrapper = SequenceUnwrapper()
    private var started = false
    private var baseSequence: Int64 = 0
    private var maxSequence: Int64 = 0
    private var received: UInt64 = 0
    private var expectedPrior: Int64 = 0
    private var receivedPrior: UInt64 = 0
    private var jitterValue: Double = 0
    private var lastTimestamp: UInt32 = 0
    private var lastArrival: Double = 0

    public init(clockRate: UInt32) {
        self.clockRate = clockRate
    }

    public mutating func packetReceived(sequenceNumber: UInt16, rtpTimestamp: UInt32, arrivalSeconds: Double) {
        let ext = unwrapper.unwrap(sequenceNumber)
        received += 1
        guard started else {
            started = true
            baseSequence = ext
            maxSequence = ext
            lastTimestamp = rtpTimestamp
            lastArrival = arrivalSeconds
            return
        }
        if ext < baseSequence {
            baseSequence = ext  // reordered before the first packet
        }
        guard ext > maxSequence else { return }  // jitter only from in-order packets
        maxSequence = ext
        // RFC 3550 §6.4.1 / A.8: D(i,j) = (Rj - Ri) - (Sj - Si) in timestamp units,
        // J += (|D| - J) / 16.
        let arrivalDelta = (arrivalSeconds - lastArrival) * Double(clockRate)
        let timestampDelta = Double(Int32(bitPattern: rtpTimestamp &- lastTimestamp))
        let d = abs(arrivalDelta - timestampDelta)
        if d.isFinite {
            jitterValue += (d - jitterValue) / 16
        }
        lastTimestamp = rtpTimestamp
        lastArrival = arrivalSeconds
    }

    /// Packets received, including duplicates (as in RFC 3550 A.3).
    public var packetsReceived: UInt64 { received }

    /// Expected minus received (may be negative with duplicates); 0 before the first packet.
    public var cumulativeLost: Int64 {
        started ? expected - Int64(clamping: received) : 0
    }

    /// Interarrival jitter estimate in timestamp units.
    public var jitter: Double { jitterValue }

    /// Highest extended sequence number seen (RFC 3550 A.1); 0 before the first packet.
    public var extendedHighestSequence: UInt32 {
        started ? UInt32(truncatingIfNeeded: maxSequence) : 0
    }

    private var expected: Int64 { maxSequence - baseSequence + 1 }

    /// Builds a report block; the fraction lost covers the interval since the previous call (A.3).
    public mutating func makeReport(ssrc: UInt32, lastSR: UInt32, delaySinceLastSR: UInt32) -> ReceptionReport {
        guard started else {
            return ReceptionReport(ssrc: ssrc, fractionLost: 0, cumulativeLost: 0, extendedHighestSequence: 0,
                                   jitter: 0, lastSR: lastSR, delaySinceLastSR: delaySinceLastSR)
        }
        let expectedInterval = expected - expectedPrior
        let receivedInterval = Int64(clamping: received) - Int64(clamping: receivedPrior)
        expectedPrior = expected
        receivedPrior = received
        let lostInterval = expectedInterval - receivedInterval
        var fraction: UInt8 = 0
        if expectedInterval > 0 && lostInterval > 0 {
            fraction = UInt8(clamping: (lostInterval << 8) / expectedInterval)
        }
        let lost = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        return ReceptionReport(ssrc: ssrc, fractionLost: fraction, cumulativeLost: Int32(lost),
                               extendedHighestSequence: extendedHighestSequence,
                               jitter: UInt32(clamping: Int64(min(jitterValue, 4e9))),
                               lastSR: lastSR, delaySinceLastSR: delaySinceLastSR)
    }
}
