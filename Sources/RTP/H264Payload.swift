/// H.264 RTP payload (RFC 6184): keyframe detection.
public enum H264Payload {
    static let idr: UInt8 = 5
    static let sps: UInt8 = 7
    static let stapA: UInt8 = 24
    static let fuA: UInt8 = 28

    @inline(__always) static func isKeyNAL(_ type: UInt8) -> Bool { type == idr || type == sps }

    /// True if the packet carries an IDR slice or SPS: as a single NAL unit (§5.6), inside a
    /// STAP-A aggregation (§5.7.1), or as the start fragment of an FU-A (§5.8).
    public static func isKeyframe(_ payload: UnsafeRawBufferPointer) -> Bool {
        let n = payload.count
        guard n >= 1 else { return false }
        let type = payload[0] & 0x1F
        switch type {
        case 1...23:
            return isKeyNAL(type)
        case stapA:
            // §5.7.1: [STAP-A NAL header][16-bit size][NAL unit]...
            var o = 1
            while o + 2 < n {
                let size = Int(payload.be16(o))
                o += 2
                guard size > 0, o + size <= n else { return false }
                if isKeyNAL(payload[o] & 0x1F) { return true }
                o += size
            }
            return false
        case fuA:
            // §5.8: FU header S | E | R | type.
            guard n >= 2 else { return false }
            let fu = payload[1]
            return fu & 0x80 != 0 && isKeyNAL(fu & 0x1F)
        default:
            return false
        }
    }
}
