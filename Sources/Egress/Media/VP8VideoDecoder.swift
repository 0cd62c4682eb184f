import CMedia

/// VP8 (RFC 6386) decoder over libvpx. Output pictures are copies, safe to keep.
final class VP8VideoDecoder {
    private var context = vpx_codec_ctx_t()
    private var open = false

    init() throws(MediaError) {
        let status = cmedia_vpx_vp8_dec_init(&context, 1)
        guard status == VPX_CODEC_OK else { throw MediaError.vpx("init: \(String(cString: vpx_codec_err_to_string(status)))") }
        open = true
    }

    deinit {
        if open { vpx_codec_destroy(&context) }
    }

    /// Decodes one frame; returns the newest picture it produced (nil for none, e.g. an invisible frame).
    func decode(_ data: [UInt8], timestamp: Double) throws(MediaError) -> VideoPicture? {
        guard !data.isEmpty, data.count < Int(UInt32.max) else { throw MediaError.vpx("empty frame") }
        let status = data.withUnsafeBufferPointer { vpx_codec_decode(&context, $0.baseAddress, UInt32($0.count), nil, 0) }
        guard status == VPX_CODEC_OK else {
            let detail = vpx_codec_error_detail(&context).map { String(cString: $0) } ?? String(cString: vpx_codec_err_to_string(status))
            throw MediaError.vpx(detail)
        }
        var iterator: vpx_codec_iter_t? = nil
        var newest: UnsafeMutablePointer<vpx_image_t>? = nil
        while let image = vpx_codec_get_frame(&context, &iterator) { newest = image }
        guard let image = newest else { return nil }
        return try VideoPicture.copying(image, timestamp: timestamp)
    }
}
