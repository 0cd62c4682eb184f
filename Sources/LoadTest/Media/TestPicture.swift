import CMedia

/// A textured picture whose content changes every frame (so the encoder spends its bitrate,
/// as on a real camera): rows copied out of a larger block-noise texture at a new offset.
final class TestPicture {
    let width: Int
    let height: Int
    private let textureWidth: Int
    private let textureHeight: Int
    private var texture: [UInt8]

    init(width: Int, height: Int, blocksAcross: Int) {
        self.width = width
        self.height = height
        textureWidth = width * 2
        textureHeight = height * 2
        texture = [UInt8](repeating: 0, count: textureWidth * textureHeight)
        var state: UInt32 = 0x1234_5678
        func next() -> UInt32 {
            state = state &* 1_664_525 &+ 1_013_904_223
            return state >> 8
        }
        let block = max(4, width / max(1, blocksAcross))
        let columns = (textureWidth + block - 1) / block
        var blockValues = [UInt8](repeating: 0, count: columns * ((textureHeight + block - 1) / block))
        for i in blockValues.indices { blockValues[i] = UInt8(32 + next() % 192) }
        texture.withUnsafeMutableBufferPointer { out in
            for y in 0..<textureHeight {
                let rowBlocks = (y / block) * columns
                for x in 0..<textureWidth {
                    let base = Int(blockValues[rowBlocks + x / block])
                    let noise = Int(next() % 13) - 6
                    out[y * textureWidth + x] = UInt8(clamping: base + noise)
                }
            }
        }
    }

    func paint(frame index: Int, into frame: UnsafeMutablePointer<AVFrame>) {
        let offsetX = (index * 389) % width
        let offsetY = (index * 211) % height
        let luma = cmedia_frame_data(frame, 0)!
        let lumaStride = Int(cmedia_frame_linesize(frame, 0))
        texture.withUnsafeBufferPointer { source in
            for row in 0..<height {
                let from = source.baseAddress! + (row + offsetY) * textureWidth + offsetX
                (luma + row * lumaStride).update(from: from, count: width)
            }
        }
        for plane in 1...2 {
            let base = cmedia_frame_data(frame, Int32(plane))!
            let stride = Int(cmedia_frame_linesize(frame, Int32(plane)))
            let value: UInt8 = plane == 1 ? UInt8(96 + index % 64) : 128
            for row in 0..<(height / 2) { (base + row * stride).update(repeating: value, count: width / 2) }
        }
    }
}
