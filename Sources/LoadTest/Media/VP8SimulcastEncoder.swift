import CMedia
#if canImport(Glibc)
import Glibc
#endif

/// Pre-encodes a few seconds of a busy test picture with libvpx (through libavcodec's
/// `libvpx` encoder, as Egress drives its codecs): one VP8 clip per simulcast layer, a
/// keyframe first and every second, so a loop restart or a jump to a keyframe always decodes.
public enum VP8SimulcastEncoder {
    public enum Failure: Error, CustomStringConvertible {
        case unavailable
        case libav(String, Int32)
        public var description: String {
            switch self {
            case .unavailable: return "libavcodec has no libvpx VP8 encoder"
            case .libav(let what, let code): return "\(what) failed (\(code))"
            }
        }
    }

    public static func encode(layers: [SimulcastLayerSpec] = SimulcastLayerSpec.standard, fps: Int = 30,
                              seconds: Double = 2) throws -> [EncodedClip] {
        try layers.map { try encode(layer: $0, fps: fps, frames: max(1, Int(seconds * Double(fps)))) }
    }

    static func encode(layer: SimulcastLayerSpec, fps: Int, frames count: Int) throws -> EncodedClip {
        av_log_set_level(AV_LOG_ERROR)  // libvpx announces its version on every open
        guard let codec = avcodec_find_encoder_by_name("libvpx") else { throw Failure.unavailable }
        var context = avcodec_alloc_context3(codec)
        defer { avcodec_free_context(&context) }
        guard let context else { throw Failure.libav("avcodec_alloc_context3", -1) }
        context.pointee.width = Int32(layer.width)
        context.pointee.height = Int32(layer.height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.time_base = AVRational(num: 1, den: Int32(fps))
        context.pointee.framerate = AVRational(num: Int32(fps), den: 1)
        context.pointee.gop_size = Int32(fps)
        context.pointee.keyint_min = Int32(fps)
        context.pointee.max_b_frames = 0
        // Constant bitrate, as a real-time WebRTC sender runs it.
        context.pointee.bit_rate = Int64(layer.bitrate)
        context.pointee.rc_min_rate = Int64(layer.bitrate)
        context.pointee.rc_max_rate = Int64(layer.bitrate)
        context.pointee.rc_buffer_size = Int32(layer.bitrate)
        context.pointee.thread_count = 1
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        av_dict_set(&options, "deadline", "realtime", 0)
        av_dict_set(&options, "cpu-used", "8", 0)
        av_dict_set(&options, "lag-in-frames", "0", 0)
        try check(avcodec_open2(context, codec, &options), "avcodec_open2(libvpx)")
        var frame = av_frame_alloc()
        var packet = av_packet_alloc()
        defer {
            av_frame_free(&frame)
            av_packet_free(&packet)
        }
        guard let frame, let packet else { throw Failure.libav("av_frame_alloc", -1) }
        frame.pointee.width = Int32(layer.width)
        frame.pointee.height = Int32(layer.height)
        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        try check(av_frame_get_buffer(frame, 0), "av_frame_get_buffer")
        // Detail scales with the bitrate, so each layer can meet its budget (like one camera
        // picture downscaled): 40 blocks across at 1.7 Mbit/s.
        let blocksAcross = max(6, Int((40 * (Double(layer.bitrate) / 1_700_000).squareRoot()).rounded()))
        let picture = TestPicture(width: layer.width, height: layer.height, blocksAcross: blocksAcross)
        var encoded: [(data: [UInt8], isKeyframe: Bool)] = []
        func drain() {
            while avcodec_receive_packet(context, packet) >= 0 {
                encoded.append((Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size))),
                                packet.pointee.flags & AV_PKT_FLAG_KEY != 0))
                av_packet_unref(packet)
            }
        }
        for index in 0..<count {
            try check(av_frame_make_writable(frame), "av_frame_make_writable")
            picture.paint(frame: index, into: frame)
            frame.pointee.pts = Int64(index)
            // The loop point must be decodable on its own.
            frame.pointee.pict_type = index == 0 ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE
            try check(avcodec_send_frame(context, frame), "avcodec_send_frame")
            drain()
        }
        _ = avcodec_send_frame(context, nil)
        drain()
        return EncodedClip(frames: encoded, frameRate: Double(fps))
    }

    private static func check(_ code: Int32, _ what: String) throws {
        if code < 0 { throw Failure.libav(what, code) }
    }
}
