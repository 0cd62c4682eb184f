import RTP

/// RTP → frames for one track: reorders within a small window (64 packets / 100 ms, NACK-free),
/// then reassembles VP8 (RFC 7741), H.264 (RFC 6184, Annex B output) or Opus (RFC 7587, one packet
/// per frame). Incomplete frames are dropped, and for video so is everything up to the next
/// keyframe after a loss (`needsKeyframe` says when to ask the sender for one).
///
/// A change of SSRC (or a run of packets far behind the window, i.e. a sequence restart) starts a
/// new stream: the track clock continues from where it was, advanced by the arrival time elapsed.
/// VP9 and AV1 are not depacketized yet: their packets are counted as dropped.
public struct TrackDepacketizer: Sendable {
    public let trackID: String
    public let codec: MediaCodec
    public let clockRate: UInt32

    /// Consecutive late packets after which the sequence is taken to have restarted.
    static let restartAfterLatePackets = 16

    private var reorder = ReorderBuffer(maxPackets: 64, maxDelay: 0.1)
    private var sequences = SequenceUnwrapper()
    private var timestamps = TimestampUnwrapper()
    private var assembler: FrameAssembler
    private var ssrc: UInt32?
    private var firstTimestamp: Int64?
    /// Track seconds at `firstTimestamp` (non-zero after a restart).
    private var timeBase = 0.0
    private var lastSeconds: Double?
    private var lastArrival = 0.0
    private var lateStreak = 0
    private var rejectedPackets = 0
    private var released: [ReleasedPacket] = []

    public init(trackID: String, codec: MediaCodec, clockRate: UInt32) {
        self.trackID = trackID
        self.codec = codec
        self.clockRate = clockRate > 0 ? clockRate : codec.defaultClockRate
        self.assembler = FrameAssembler(trackID: trackID, codec: codec)
        released.reserveCapacity(64)
    }

    /// Video: true from the start and after a loss until a keyframe has been assembled.
    public var needsKeyframe: Bool { assembler.waitingForKeyframe }

    /// Packets not used: malformed RTP or payloads, late or duplicate arrivals, unsupported codecs.
    public var droppedPackets: Int { rejectedPackets + assembler.malformedPayloads }

    /// Frames discarded because they were incomplete or could not be decoded without a keyframe.
    public var droppedFrames: Int { assembler.droppedFrames }

    /// Frames completed by this packet, in order.
    public mutating func push(rtp packet: [UInt8], arrival: Double) -> [EncodedFrame] {
        guard codec == .opus || codec == .vp8 || codec == .h264,
              let header = packet.withUnsafeBytes({ bytes in try? RTPHeader.parse(bytes) }) else {
            rejectedPackets += 1
            return []
        }
        var frames: [EncodedFrame] = []
        if let current = ssrc, current != header.ssrc { restart(arrival: arrival, into: &frames) }
        ssrc = header.ssrc

        var entry = BufferedPacket(sequence: sequences.unwrap(header.sequenceNumber), arrival: arrival,
                                   header: header, bytes: packet)
        released.removeAll(keepingCapacity: true)
        var result = reorder.insert(entry, now: arrival, into: &released)
        if result == .late {
            lateStreak += 1
            if lateStreak >= TrackDepacketizer.restartAfterLatePackets {
                restart(arrival: arrival, into: &frames)
                entry.sequence = sequences.unwrap(header.sequenceNumber)
                released.removeAll(keepingCapacity: true)
                result = reorder.insert(entry, now: arrival, into: &released)
            }
        }
        switch result {
        case .accepted: lateStreak = 0
        case .late, .duplicate: rejectedPackets += 1
        }
        process(into: &frames)
        return frames
    }

    /// Releases every held packet (holes count as losses) and drops a frame still missing its end.
    public mutating func flush() -> [EncodedFrame] {
        var frames: [EncodedFrame] = []
        released.removeAll(keepingCapacity: true)
        reorder.flush(into: &released)
        process(into: &frames)
        assembler.finish()
        return frames
    }

    private mutating func process(into frames: inout [EncodedFrame]) {
        for item in released {
            switch item {
            case .gap:
                assembler.lose()
            case .packet(let p):
                let seconds = trackSeconds(p.header.timestamp)
                lastSeconds = seconds
                lastArrival = p.arrival
                p.bytes.withUnsafeBytes { bytes in
                    assembler.packet(p.header, bytes: bytes, seconds: seconds, arrival: p.arrival, into: &frames)
                }
            }
        }
        released.removeAll(keepingCapacity: true)
    }

    /// (unwrapped RTP timestamp - first) / clock rate, plus the base carried over from restarts.
    private mutating func trackSeconds(_ timestamp: UInt32) -> Double {
        let unwrapped = timestamps.unwrap(timestamp)
        let first = firstTimestamp ?? unwrapped
        firstTimestamp = first
        return timeBase + Double(unwrapped - first) / Double(clockRate)
    }

    /// New stream: finish what the old one left, then forget its sequence and timestamp state.
    private mutating func restart(arrival: Double, into frames: inout [EncodedFrame]) {
        released.removeAll(keepingCapacity: true)
        reorder.flush(into: &released)
        process(into: &frames)
        reorder.reset()
        assembler.restart()
        sequences = SequenceUnwrapper()
        timestamps = TimestampUnwrapper()
        firstTimestamp = nil
        if let last = lastSeconds { timeBase = last + max(0, arrival - lastArrival) }
        lateStreak = 0
    }
}
