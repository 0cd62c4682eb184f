import CMedia

/// H.264 (Annex B access units) decoder over libavcodec, single-threaded and low delay.
final class H264VideoDecoder {
    private var context: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?

    init() throws(MediaError) {
        guard let codec = avcodec_find_decoder(AV_CODEC_ID_H264) else { throw MediaError.unsupported("no H.264 decoder in libavcodec") }
        context = avcodec_alloc_context3(codec)
        packet = av_packet_alloc()
        frame = av_frame_alloc()
        guard let context, packet != nil, frame != nil else { throw MediaError.ffmpeg("alloc H.264 decoder", cmedia_averror(ENOMEM)) }
        context.pointee.thread_count = 1
        context.pointee.flags |= AV_CODEC_FLAG_LOW_DELAY
        try LibAV.check(avcodec_open2(context, codec, nil), "avcodec_open2(h264 decoder)")
    }

    deinit {
        av_frame_free(&frame)
        av_packet_free(&packet)
        avcodec_free_context(&context)
    }

    /// Decodes one access unit; returns the newest picture it produced (nil while the decoder needs more input).
    func decode(_ data: [UInt8], timestamp: Double) throws(MediaError) -> VideoPicture? {
        guard let context, let packet, let frame else { throw MediaError.notConfigured }
        guard !data.isEmpty, data.count < Int(Int32.max) else { throw MediaError.unsupported("empty H.264 access unit") }
        try LibAV.check(av_new_packet(packet, Int32(data.count)), "av_new_packet")
        defer { av_packet_unref(packet) }
        data.withUnsafeBytes { UnsafeMutableRawPointer(packet.pointee.data!).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        let sent = avcodec_send_packet(context, packet)
        if sent < 0 && sent != LibAV.eagain { throw MediaError.ffmpeg("avcodec_send_packet(h264)", sent) }
        var newest: VideoPicture? = nil
        while true {
            let received = avcodec_receive_frame(context, frame)
            if received == LibAV.eagain || received == LibAV.eof { break }
            try LibAV.check(received, "avcodec_receive_frame(h264)")
            defer { av_frame_unref(frame) }
            newest = try VideoPicture.referencing(frame, timestamp: timestamp)
        }
        return newest
    }
}
