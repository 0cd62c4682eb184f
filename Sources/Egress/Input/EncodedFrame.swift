/// One complete encoded frame out of the jitter buffer: an Opus packet, a VP8 frame, or an H.264
/// access unit in Annex B (start codes 00 00 00 01; SPS/PPS kept in-band).
public struct EncodedFrame: Sendable {
    public var trackID: String
    public var codec: MediaCodec
    public var data: [UInt8]
    /// Seconds on the track's own clock: (unwrapped RTP timestamp - first) / clockRate. Align it to
    /// the recording clock with `RecordingClock.time(trackID:rtpSeconds:arrival:)`, passing `arrival`.
    public var timestamp: Double
    public var isKeyframe: Bool
    /// Arrival time (caller's clock, seconds) of the first packet of this frame.
    public var arrival: Double

    public init(trackID: String, codec: MediaCodec, data: [UInt8], timestamp: Double, isKeyframe: Bool,
                arrival: Double = 0) {
        self.trackID = trackID
        self.codec = codec
        self.data = data
        self.timestamp = timestamp
        self.isKeyframe = isKeyframe
        self.arrival = arrival
    }
}
