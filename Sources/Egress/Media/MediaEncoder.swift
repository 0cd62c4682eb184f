import CMedia

/// An opened libavcodec encoder (libx264 for video, the native AAC encoder for audio).
final class MediaEncoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    private var packet: UnsafeMutablePointer<AVPacket>?

    private init(codecName: String, configure: (UnsafeMutablePointer<AVCodecContext>) throws(MediaError) -> Void,
                 options: [(String, String)]) throws(MediaError) {
        guard let codec = avcodec_find_encoder_by_name(codecName) else { throw MediaError.unsupported("encoder \(codecName)") }
        guard let context = avcodec_alloc_context3(codec), let packet = av_packet_alloc() else {
            throw MediaError.ffmpeg("alloc \(codecName) encoder", cmedia_averror(ENOMEM))
        }
        self.context = context
        self.packet = packet
        try configure(context)
        var dictionary: OpaquePointer? = nil
        defer { av_dict_free(&dictionary) }
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        try LibAV.check(avcodec_open2(context, codec, &dictionary), "avcodec_open2(\(codecName))")
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = self.context
        avcodec_free_context(&context)
        av_packet_free(&packet)
    }

    /// H.264 through libx264: yuv420p, constant frame rate with time base 1/fps, GOP of 2 s, no B-frames.
    static func h264(width: Int, height: Int, fps: Int, bitrate: Int, preset: String, globalHeader: Bool) throws(MediaError) -> MediaEncoder {
        try MediaEncoder(codecName: "libx264", configure: { context in
            context.pointee.width = Int32(width)
            context.pointee.height = Int32(height)
            context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
            context.pointee.time_base = AVRational(num: 1, den: Int32(fps))
            context.pointee.framerate = AVRational(num: Int32(fps), den: 1)
            context.pointee.gop_size = Int32(2 * fps)
            context.pointee.keyint_min = Int32(fps)
            context.pointee.max_b_frames = 0
            context.pointee.bit_rate = Int64(bitrate)
            context.pointee.rc_max_rate = Int64(bitrate) * 3 / 2
            context.pointee.rc_buffer_size = Int32(min(bitrate * 2, Int(Int32.max)))
            context.pointee.thread_count = 2
            if globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        }, options: [("preset", preset), ("tune", "zerolatency")])
    }

    /// AAC (libavcodec's native encoder), 48 kHz stereo planar float.
    static func aac(bitrate: Int, globalHeader: Bool) throws(MediaError) -> MediaEncoder {
        try MediaEncoder(codecName: "aac", configure: { context in
            context.pointee.sample_rate = Int32(AudioMixer.sampleRate)
            context.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
            cmedia_channel_layout_default(&context.pointee.ch_layout, 2)
            context.pointee.bit_rate = Int64(bitrate)
            context.pointee.time_base = AVRational(num: 1, den: Int32(AudioMixer.sampleRate))
            if globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
        }, options: [])
    }

    var timeBase: AVRational { context.pointee.time_base }
    /// Samples per audio frame the encoder expects (1024 for AAC).
    var frameSize: Int { Int(context.pointee.frame_size) }

    /// Sends `frame` (nil flushes) and hands every packet the encoder returns to `sink`, in the encoder's time base.
    func encode(_ frame: UnsafePointer<AVFrame>?, into sink: (UnsafeMutablePointer<AVPacket>) throws(MediaError) -> Void) throws(MediaError) {
        guard let packet else { throw MediaError.notConfigured }
        let sent = avcodec_send_frame(context, frame)
        if sent != LibAV.eof { try LibAV.check(sent, "avcodec_send_frame") }
        while true {
            let received = avcodec_receive_packet(context, packet)
            if received == LibAV.eagain || received == LibAV.eof { return }
            try LibAV.check(received, "avcodec_receive_packet")
            defer { av_packet_unref(packet) }
            try sink(packet)
        }
    }
}
