import CMedia

/// Track egress without transcoding (issue 5 item 2): Opus → Ogg, VP8 → WebM, H.264 → fragmented MP4.
/// Packets are written with their timestamps, relative to the first one written. Video starts at the first
/// keyframe (earlier frames cannot be decoded). Not thread-safe: use from one task or thread.
public final class TrackRecorder {
    public let codec: MediaCodec
    public let outputPath: String
    private var muxer: MediaMuxer?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var timeBase = AVRational(num: 1, den: 1)
    private var firstTimestamp: Double?
    private var lastPTS: Int64 = -1
    private var endPTS: Int64 = 0
    private var finished = false
    /// Decodes H.264 keyframes until the first picture gives the size the MP4 header needs.
    private var sizeProbe: H264VideoDecoder?

    public init(codec: MediaCodec, outputPath: String) throws {
        guard [.opus, .vp8, .h264].contains(codec) else { throw MediaError.unsupported("track egress of \(codec.rawValue)") }
        self.codec = codec
        self.outputPath = outputPath
        guard let packet = av_packet_alloc() else { throw MediaError.ffmpeg("av_packet_alloc", cmedia_averror(ENOMEM)) }
        self.packet = packet
    }

    deinit { av_packet_free(&packet) }

    public func push(_ frame: EncodedFrame) throws {
        guard !finished, let packet else { throw MediaError.notConfigured }
        guard frame.codec == codec else { throw MediaError.unsupported("\(frame.codec.rawValue) frame for a \(codec.rawValue) track") }
        guard !frame.data.isEmpty, frame.data.count < Int(Int32.max), frame.timestamp.isFinite else { return }
        if muxer == nil {
            guard try openMuxer(firstFrame: frame) else { return }
            firstTimestamp = frame.timestamp
        }
        guard let muxer, let firstTimestamp else { return }

        var pts = Int64(((frame.timestamp - firstTimestamp) * Double(timeBase.den) / Double(timeBase.num)).rounded())
        if pts <= lastPTS { pts = lastPTS + 1 }
        let duration: Int64
        switch codec {
        case .opus:
            let samples = frame.data.withUnsafeBufferPointer { opus_packet_get_nb_samples($0.baseAddress!, Int32($0.count), 48_000) }
            guard samples > 0 else { return }  // not an Opus packet: skip it rather than corrupt the file
            duration = Int64(samples)
            if pts < endPTS, endPTS - pts < duration { pts = endPTS }  // absorb timestamp jitter: keep audio contiguous
        default:
            duration = 0
        }

        try LibAV.check(av_new_packet(packet, Int32(frame.data.count)), "av_new_packet")
        frame.data.withUnsafeBytes { UnsafeMutableRawPointer(packet.pointee.data!).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        packet.pointee.pts = pts
        packet.pointee.dts = pts
        packet.pointee.duration = duration
        let isKeyframe = codec == .vp8 ? ((try? VP8FrameHeader(parsing: frame.data))?.isKeyframe ?? frame.isKeyframe) : frame.isKeyframe
        if codec == .opus || isKeyframe { packet.pointee.flags |= AV_PKT_FLAG_KEY }
        lastPTS = pts
        endPTS = max(endPTS, pts + duration)
        do {
            try muxer.write(packet, streamIndex: 0, timeBase: timeBase)
        } catch {
            av_packet_unref(packet)
            throw error
        }
    }

    /// Writes the trailer. Returns the recorded duration (seconds) and the file size (bytes).
    /// Throws `.notConfigured` when nothing was recorded (no file is written then).
    public func finish() throws -> (duration: Double, size: Int) {
        guard !finished else { throw MediaError.notConfigured }
        finished = true
        guard let muxer else { throw MediaError.notConfigured }
        let size = try muxer.finish()
        return (Double(endPTS) * Double(timeBase.num) / Double(timeBase.den), size)
    }

    /// Creates the file once `frame` gives what the header needs. Returns false to wait for a later frame.
    private func openMuxer(firstFrame frame: EncodedFrame) throws -> Bool {
        switch codec {
        case .opus:
            let muxer = try MediaMuxer(path: outputPath, format: "ogg")
            timeBase = AVRational(num: 1, den: 48_000)
            _ = try muxer.addStream(timeBase: timeBase) { parameters throws(MediaError) in
                parameters.pointee.codec_type = AVMEDIA_TYPE_AUDIO
                parameters.pointee.codec_id = AV_CODEC_ID_OPUS
                parameters.pointee.sample_rate = 48_000
                cmedia_channel_layout_default(&parameters.pointee.ch_layout, 2)
                try Self.setExtradata(parameters, OpusHeadPacket().bytes)
            }
            try muxer.writeHeader(options: [])
            self.muxer = muxer
        case .vp8:
            guard frame.isKeyframe, let header = try? VP8FrameHeader(parsing: frame.data),
                  let width = header.width, let height = header.height, width > 0, height > 0 else { return false }
            let muxer = try MediaMuxer(path: outputPath, format: "webm")
            timeBase = AVRational(num: 1, den: 1_000)
            _ = try muxer.addStream(timeBase: timeBase) { parameters throws(MediaError) in
                parameters.pointee.codec_type = AVMEDIA_TYPE_VIDEO
                parameters.pointee.codec_id = AV_CODEC_ID_VP8
                parameters.pointee.width = Int32(width)
                parameters.pointee.height = Int32(height)
            }
            try muxer.writeHeader(options: [])
            self.muxer = muxer
        case .h264:
            guard frame.isKeyframe, let parameterSets = AnnexBScanner.parameterSets(frame.data) else { return false }
            if sizeProbe == nil { sizeProbe = try H264VideoDecoder() }
            guard let picture = try? sizeProbe?.decode(frame.data, timestamp: 0) else { return false }
            sizeProbe = nil
            let muxer = try MediaMuxer(path: outputPath, format: "mp4")
            timeBase = AVRational(num: 1, den: 90_000)
            _ = try muxer.addStream(timeBase: timeBase) { parameters throws(MediaError) in
                parameters.pointee.codec_type = AVMEDIA_TYPE_VIDEO
                parameters.pointee.codec_id = AV_CODEC_ID_H264
                parameters.pointee.width = Int32(picture.width)
                parameters.pointee.height = Int32(picture.height)
                try Self.setExtradata(parameters, parameterSets)
            }
            try muxer.writeHeader(options: [("movflags", MediaMuxer.fragmentedMP4Flags), ("flush_packets", "1")])
            self.muxer = muxer
        default:
            throw MediaError.unsupported(codec.rawValue)
        }
        return true
    }

    private static func setExtradata(_ parameters: UnsafeMutablePointer<AVCodecParameters>, _ bytes: [UInt8]) throws(MediaError) {
        guard let memory = av_mallocz(bytes.count + Int(AV_INPUT_BUFFER_PADDING_SIZE)) else {
            throw MediaError.ffmpeg("av_mallocz", cmedia_averror(ENOMEM))
        }
        bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        parameters.pointee.extradata = memory.assumingMemoryBound(to: UInt8.self)
        parameters.pointee.extradata_size = Int32(bytes.count)
    }
}
