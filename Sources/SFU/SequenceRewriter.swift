import RTP

/// Rewrites a publisher's sequence numbers and timestamps into one subscriber's continuous
/// space (RFC 3550 §5.1: a receiver must see one SSRC with contiguous sequence numbers and a
/// monotonic clock). When the source changes (a publisher re-publishes, or another track takes
/// the slot) the next packet continues at last+1 and the timestamp advances by the wall-clock
/// time elapsed, so the subscriber sees neither a gap nor a jump.
/// A pure state machine: no I/O, time passed in.
public struct SequenceRewriter: Sendable {
    public struct Output: Sendable, Equatable {
        public var sequenceNumber: UInt16
        public var timestamp: UInt32
    }

    private var sourceSSRC: UInt32?
    private var sequenceOffset: UInt16 = 0
    private var timestampOffset: UInt32 = 0
    private var highestSourceSequence: UInt16 = 0
    private var firstSourceSequence: UInt16 = 0
    private var lastOutSequence: UInt16
    private var lastOutTimestamp: UInt32
    private var lastOutWallClock: Double = 0
    private var started = false
    public let clockRate: UInt32

    /// `initialSequence`/`initialTimestamp`: where the subscriber's stream starts (random per RFC 3550 §5.1).
    public init(clockRate: UInt32, initialSequence: UInt16, initialTimestamp: UInt32) {
        self.clockRate = clockRate
        self.lastOutSequence = initialSequence &- 1
        self.lastOutTimestamp = initialTimestamp
    }

    public var hasStarted: Bool { started }
    public var lastSequenceNumber: UInt16 { lastOutSequence }
    public var lastTimestamp: UInt32 { lastOutTimestamp }
    public var lastWallClock: Double { lastOutWallClock }
    public var currentTimestampOffset: UInt32 { timestampOffset }

    /// Rewrites one packet; nil if it is older than the start of the current source (cannot be placed).
    public mutating func rewrite(ssrc: UInt32, sequenceNumber: UInt16, timestamp: UInt32, now: Double) -> Output? {
        if sourceSSRC != ssrc {
            // New source: continue at last+1, advancing the clock by the elapsed wall time (at least 1 tick).
            let elapsedTicks: UInt32
            if started {
                let ticks = max(1.0, (now - lastOutWallClock) * Double(clockRate))
                elapsedTicks = UInt32(min(ticks, Double(UInt32.max / 2)))
            } else {
                elapsedTicks = 0
            }
            let targetSequence = lastOutSequence &+ 1
            let targetTimestamp = lastOutTimestamp &+ elapsedTicks
            sequenceOffset = targetSequence &- sequenceNumber
            timestampOffset = targetTimestamp &- timestamp
            sourceSSRC = ssrc
            highestSourceSequence = sequenceNumber
            firstSourceSequence = sequenceNumber
            started = true
        } else if isNewer(sequenceNumber, than: highestSourceSequence) {
            highestSourceSequence = sequenceNumber
        } else if isNewer(firstSourceSequence, than: sequenceNumber) {
            return nil  // from before this source started for us
        }
        let out = Output(sequenceNumber: sequenceNumber &+ sequenceOffset, timestamp: timestamp &+ timestampOffset)
        if isNewer(out.sequenceNumber, than: lastOutSequence) || out.sequenceNumber == lastOutSequence &+ 1 {
            lastOutSequence = out.sequenceNumber
            lastOutTimestamp = out.timestamp
            lastOutWallClock = now
        }
        return out
    }

    /// The packet with this source sequence number was dropped on purpose (not lost):
    /// close the hole so the subscriber does not NACK it. Only for the newest packet.
    public mutating func skip(sequenceNumber: UInt16) {
        guard sourceSSRC != nil, sequenceNumber == highestSourceSequence &+ 1 else { return }
        highestSourceSequence = sequenceNumber
        sequenceOffset = sequenceOffset &- 1
    }

    /// Maps an outgoing timestamp back from a source timestamp (for sender reports).
    public func outputTimestamp(forSource timestamp: UInt32) -> UInt32 { timestamp &+ timestampOffset }
}
