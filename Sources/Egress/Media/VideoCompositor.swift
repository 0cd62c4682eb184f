import CMedia

/// Draws decoded pictures into one yuv420p canvas: a black background, each picture scaled with swscale
/// to fit its tile keeping its aspect ratio, and a dark grey placeholder for tiles without a picture.
final class VideoCompositor {
    let width: Int
    let height: Int
    let canvas: UnsafeMutablePointer<AVFrame>
    private var scalers: [OpaquePointer?] = []

    static let background: (y: UInt8, u: UInt8, v: UInt8) = (16, 128, 128)
    static let placeholder: (y: UInt8, u: UInt8, v: UInt8) = (40, 128, 128)

    init(width: Int, height: Int) throws(MediaError) {
        self.width = GridLayout.even(width)
        self.height = GridLayout.even(height)
        guard self.width >= 2, self.height >= 2, let canvas = av_frame_alloc() else {
            throw MediaError.unsupported("canvas \(width)x\(height)")
        }
        self.canvas = canvas
        canvas.pointee.width = Int32(self.width)
        canvas.pointee.height = Int32(self.height)
        canvas.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        try LibAV.check(av_frame_get_buffer(canvas, 0), "av_frame_get_buffer(canvas)")
    }

    deinit {
        for scaler in scalers { sws_freeContext(scaler) }
        var pointer: UnsafeMutablePointer<AVFrame>? = canvas
        av_frame_free(&pointer)
    }

    /// Starts a new output frame: makes the canvas writable (the encoder may still reference it) and paints the background.
    func beginFrame() throws(MediaError) {
        try LibAV.check(av_frame_make_writable(canvas), "av_frame_make_writable")
        fill(PixelRect(x: 0, y: 0, width: width, height: height), Self.background)
    }

    /// Draws tile `slot` of `layout`: `picture` scaled to fit, or the placeholder when nil.
    func drawTile(_ slot: Int, of layout: GridLayout, picture: VideoPicture?) {
        guard let cell = layout.tile(slot) else { return }
        guard let picture, let target = GridLayout.fit(sourceWidth: picture.width, sourceHeight: picture.height, into: cell) else {
            fill(cell, Self.placeholder)
            return
        }
        while scalers.count <= slot { scalers.append(nil) }
        guard let scaler = sws_getCachedContext(scalers[slot], Int32(picture.width), Int32(picture.height), picture.pixelFormat,
                                                Int32(target.width), Int32(target.height), AV_PIX_FMT_YUV420P,
                                                SWS_BILINEAR, nil, nil, nil) else {
            fill(cell, Self.placeholder)
            return
        }
        scalers[slot] = scaler
        let source = picture.frame
        let sourcePlanes: [UnsafePointer<UInt8>?] = (0..<4).map { UnsafePointer(cmedia_frame_data(source, Int32($0))) }
        let sourceStrides: [Int32] = (0..<4).map { cmedia_frame_linesize(source, Int32($0)) }
        var destinationPlanes: [UnsafeMutablePointer<UInt8>?] = [nil, nil, nil, nil]
        var destinationStrides: [Int32] = [0, 0, 0, 0]
        for plane in 0..<3 {
            let shift = plane == 0 ? 0 : 1
            let stride = cmedia_frame_linesize(canvas, Int32(plane))
            destinationStrides[plane] = stride
            destinationPlanes[plane] = cmedia_frame_data(canvas, Int32(plane))
                .map { $0 + (target.y >> shift) * Int(stride) + (target.x >> shift) }
        }
        sws_scale(scaler, sourcePlanes, sourceStrides, 0, Int32(picture.height), destinationPlanes, destinationStrides)
    }

    private func fill(_ rect: PixelRect, _ color: (y: UInt8, u: UInt8, v: UInt8)) {
        let values = [color.y, color.u, color.v]
        for plane in 0..<3 {
            let shift = plane == 0 ? 0 : 1
            guard let base = cmedia_frame_data(canvas, Int32(plane)) else { continue }
            let stride = Int(cmedia_frame_linesize(canvas, Int32(plane)))
            let x = rect.x >> shift, w = rect.width >> shift
            for row in (rect.y >> shift)..<((rect.y + rect.height) >> shift) {
                (base + row * stride + x).update(repeating: values[plane], count: w)
            }
        }
    }
}
