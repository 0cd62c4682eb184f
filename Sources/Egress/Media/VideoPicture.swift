import CMedia

/// One decoded picture (an owned, reference-counted AVFrame) and the recording-clock time it belongs to.
final class VideoPicture {
    let frame: UnsafeMutablePointer<AVFrame>
    let timestamp: Double

    var width: Int { Int(frame.pointee.width) }
    var height: Int { Int(frame.pointee.height) }
    var pixelFormat: AVPixelFormat { AVPixelFormat(frame.pointee.format) }

    /// Takes ownership of `frame` (freed with av_frame_free on deinit).
    init(owning frame: UnsafeMutablePointer<AVFrame>, timestamp: Double) {
        self.frame = frame
        self.timestamp = timestamp
    }

    deinit {
        var pointer: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&pointer)
    }

    /// A new reference to a decoder's output frame (no pixel copy).
    static func referencing(_ source: UnsafePointer<AVFrame>, timestamp: Double) throws(MediaError) -> VideoPicture {
        guard let clone = av_frame_clone(source) else { throw MediaError.ffmpeg("av_frame_clone", cmedia_averror(ENOMEM)) }
        return VideoPicture(owning: clone, timestamp: timestamp)
    }

    /// A copy of an I420 libvpx image (libvpx reuses its buffer on the next decode call).
    static func copying(_ image: UnsafePointer<vpx_image_t>, timestamp: Double) throws(MediaError) -> VideoPicture {
        guard image.pointee.fmt == VPX_IMG_FMT_I420 else { throw MediaError.unsupported("vpx image format \(image.pointee.fmt.rawValue)") }
        let width = Int32(image.pointee.d_w), height = Int32(image.pointee.d_h)
        guard width > 0, height > 0, width <= 8192, height <= 8192 else { throw MediaError.vpx("bad picture size \(width)x\(height)") }
        guard let frame = av_frame_alloc() else { throw MediaError.ffmpeg("av_frame_alloc", cmedia_averror(ENOMEM)) }
        let picture = VideoPicture(owning: frame, timestamp: timestamp)
        frame.pointee.width = width
        frame.pointee.height = height
        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        try LibAV.check(av_frame_get_buffer(frame, 0), "av_frame_get_buffer")
        for plane in 0..<3 {
            let rows = plane == 0 ? Int(height) : (Int(height) + 1) / 2
            let columns = plane == 0 ? Int(width) : (Int(width) + 1) / 2
            guard let source = cmedia_vpx_plane(image, Int32(plane)), let destination = cmedia_frame_data(frame, Int32(plane)) else {
                throw MediaError.vpx("missing plane \(plane)")
            }
            av_image_copy_plane(destination, cmedia_frame_linesize(frame, Int32(plane)),
                                source, cmedia_vpx_stride(image, Int32(plane)), Int32(columns), Int32(rows))
        }
        return picture
    }
}
