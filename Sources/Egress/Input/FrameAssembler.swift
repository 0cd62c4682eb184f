import RTP

/// Turns in-order RTP packets of one track into complete frames (no I/O, no timers).
/// Video frames are the packets sharing one RTP timestamp, ending on the marker bit
/// (RFC 7741 §4.1 for VP8, RFC 6184 §5.1 for H.264); a frame touched by a loss is dropped, and so is
/// every frame after it until the next keyframe, since its references are gone.
struct FrameAssembler: Sendable {
    let trackID: String
    let codec: MediaCodec

    private var h264 = H264Depacketizer()
    /// RTP timestamp of the frame in progress; nil between frames.
    private var frameTimestamp: UInt32?
    private var frameSeconds = 0.0
    private var frameArrival = 0.0
    private var frameData: [UInt8] = []
    private var frameIsKeyframe = false
    private var frameHasSPS = false
    private var frameBroken = false
    private var framePackets = 0
    private var frameBeganAfterGap = false
    private var gapPending = false
    private var spsSeen = false

    /// Video: frames are discarded until a keyframe arrives (true at the start and after any loss).
    private(set) var waitingForKeyframe: Bool
    private(set) var malformedPayloads = 0
    private(set) var droppedFrames = 0

    init(trackID: String, codec: MediaCodec) {
        self.trackID = trackID
        self.codec = codec
        self.waitingForKeyframe = codec.kind == .video
    }

    /// Packets were lost just before the next one.
    mutating func lose() {
        guard codec.kind == .video else { return }
        if frameTimestamp != nil { frameBroken = true }
        gapPending = true
        waitingForKeyframe = true
    }

    /// A new stream (SSRC change): drops the frame in progress and waits for a keyframe.
    mutating func restart() {
        if frameTimestamp != nil { dropFrame() }
        h264.reset()
        gapPending = false
        if codec.kind == .video { waitingForKeyframe = true }
    }

    /// End of stream: a frame still in progress never saw its marker, so it is incomplete.
    mutating func finish() {
        if frameTimestamp != nil { dropFrame() }
        h264.reset()
    }

    /// Consumes the next in-order packet; appends any frame it completes to `out`.
    mutating func packet(_ header: RTPHeader, bytes: UnsafeRawBufferPointer, seconds: Double, arrival: Double,
                         into out: inout [EncodedFrame]) {
        let range = header.payloadRange
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { malformedPayloads += 1; return }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[range])
        guard payload.count > 0 else { return }  // padding-only packet (RFC 3550 §5.1 P bit): no media
        if codec == .opus {
            // RFC 7587 §4.2: one Opus packet per RTP packet, each independently decodable.
            out.append(EncodedFrame(trackID: trackID, codec: codec, data: Array(payload), timestamp: seconds,
                                    isKeyframe: true, arrival: arrival))
            return
        }
        if let ts = frameTimestamp, ts != header.timestamp {
            completeFrame(into: &out)  // the previous frame ended without a marker
        }
        if frameTimestamp == nil { beginFrame(header.timestamp, seconds: seconds, arrival: arrival) }
        let first = framePackets == 0
        framePackets += 1
        do {
            switch codec {
            case .vp8:
                let fragment = try VP8Depacketizer.parse(payload)
                if first {
                    if !fragment.startsFrame { frameBroken = true }  // the frame's start was lost
                    frameIsKeyframe = fragment.isKeyframe
                }
                frameData.append(contentsOf: UnsafeRawBufferPointer(rebasing: payload[fragment.dataOffset...]))
            case .h264:
                let contents = try h264.append(payload, to: &frameData)
                if contents.hasIDR { frameIsKeyframe = true }
                if contents.hasSPS { frameHasSPS = true; spsSeen = true }
            default:
                frameBroken = true
            }
        } catch {
            malformedPayloads += 1
            frameBroken = true
        }
        if header.marker { completeFrame(into: &out) }
    }

    private mutating func beginFrame(_ timestamp: UInt32, seconds: Double, arrival: Double) {
        frameTimestamp = timestamp
        frameSeconds = seconds
        frameArrival = arrival
        frameData = []
        frameIsKeyframe = false
        frameHasSPS = false
        frameBroken = false
        framePackets = 0
        frameBeganAfterGap = gapPending
        gapPending = false
        h264.reset()
    }

    /// Whether a finished frame can restart decoding. For H.264 an IDR also needs its SPS: in the
    /// access unit itself, or seen earlier when nothing was lost just before this frame.
    private var frameRestartsDecoding: Bool {
        guard frameIsKeyframe else { return false }
        if codec == .h264 { return frameHasSPS || (spsSeen && !frameBeganAfterGap) }
        return true
    }

    private mutating func completeFrame(into out: inout [EncodedFrame]) {
        let incomplete = frameBroken || frameData.isEmpty || (codec == .h264 && h264.inFragment)
        if incomplete {
            dropFrame()
            waitingForKeyframe = true
            return
        }
        if waitingForKeyframe {
            guard frameRestartsDecoding else { dropFrame(); return }
            waitingForKeyframe = false
        }
        out.append(EncodedFrame(trackID: trackID, codec: codec, data: frameData, timestamp: frameSeconds,
                                isKeyframe: frameIsKeyframe, arrival: frameArrival))
        frameTimestamp = nil
        frameData = []
        h264.reset()
    }

    private mutating func dropFrame() {
        droppedFrames += 1
        frameTimestamp = nil
        frameData = []
        h264.reset()
    }
}
