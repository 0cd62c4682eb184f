import CMedia

/// An output file written with libavformat (MP4, Ogg, WebM).
final class MediaMuxer {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private var headerWritten = false
    private var closed = false
    let path: String

    /// Movie flags of a fragmented MP4: a crash leaves every fragment written so far playable.
    static let fragmentedMP4Flags = "frag_keyframe+empty_moov+default_base_moof"

    init(path: String, format: String) throws(MediaError) {
        self.path = path
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        try LibAV.check(avformat_alloc_output_context2(&context, nil, format, path), "avformat_alloc_output_context2(\(format))")
        guard let context else { throw MediaError.unsupported("format \(format)") }
        self.context = context
        try LibAV.check(avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE), "avio_open(\(path))")
    }

    deinit {
        if let context {
            if !closed { avio_closep(&context.pointee.pb) }
            avformat_free_context(context)
        }
    }

    /// Whether encoders feeding this muxer must put codec headers in extradata.
    var needsGlobalHeader: Bool {
        guard let format = context?.pointee.oformat else { return false }
        return format.pointee.flags & AVFMT_GLOBALHEADER != 0
    }

    /// Adds a stream described by an opened encoder; returns its index.
    func addStream(from encoder: MediaEncoder, frameRate: AVRational? = nil) throws(MediaError) -> Int32 {
        let stream = try newStream()
        try LibAV.check(avcodec_parameters_from_context(stream.pointee.codecpar, encoder.context), "avcodec_parameters_from_context")
        stream.pointee.time_base = encoder.timeBase
        if let frameRate {
            stream.pointee.avg_frame_rate = frameRate
            stream.pointee.r_frame_rate = frameRate
        }
        return stream.pointee.index
    }

    /// Adds a stream for already-encoded packets; `configure` fills its codec parameters.
    func addStream(timeBase: AVRational, configure: (UnsafeMutablePointer<AVCodecParameters>) throws(MediaError) -> Void) throws(MediaError) -> Int32 {
        let stream = try newStream()
        try configure(stream.pointee.codecpar)
        stream.pointee.time_base = timeBase
        return stream.pointee.index
    }

    private func newStream() throws(MediaError) -> UnsafeMutablePointer<AVStream> {
        guard let context, !headerWritten, let stream = avformat_new_stream(context, nil) else {
            throw MediaError.ffmpeg("avformat_new_stream", cmedia_averror(EINVAL))
        }
        return stream
    }

    func writeHeader(options: [(String, String)]) throws(MediaError) {
        guard let context, !headerWritten else { throw MediaError.notConfigured }
        var dictionary: OpaquePointer? = nil
        defer { av_dict_free(&dictionary) }
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        try LibAV.check(avformat_write_header(context, &dictionary), "avformat_write_header")
        headerWritten = true
    }

    /// Writes `packet` (timestamps in `timeBase`) to stream `streamIndex`. The packet is consumed (unreferenced).
    func write(_ packet: UnsafeMutablePointer<AVPacket>, streamIndex: Int32, timeBase: AVRational) throws(MediaError) {
        guard let context, headerWritten, !closed, streamIndex >= 0, streamIndex < Int32(context.pointee.nb_streams),
              let stream = context.pointee.streams[Int(streamIndex)] else { throw MediaError.notConfigured }
        packet.pointee.stream_index = streamIndex
        av_packet_rescale_ts(packet, timeBase, stream.pointee.time_base)
        try LibAV.check(av_interleaved_write_frame(context, packet), "av_interleaved_write_frame")
    }

    /// Writes the trailer and closes the file; returns its size in bytes.
    func finish() throws(MediaError) -> Int {
        guard let context, !closed else { throw MediaError.notConfigured }
        closed = true
        var result: Int32 = 0
        if headerWritten { result = av_write_trailer(context) }
        let size = context.pointee.pb.map { Int(avio_size($0)) } ?? 0
        avio_closep(&context.pointee.pb)
        try LibAV.check(result, "av_write_trailer")
        return max(0, size)
    }
}
