/// VP8 RTP payload (RFC 7741): payload descriptor parsing and keyframe detection.
public enum VP8Payload {
    /// Length of the payload descriptor (RFC 7741 §4.2), or nil if truncated.
    ///
    ///     X R N S R PID(3)     X: extended control bits present
    ///     I L T K RSV(4)       (if X) I: PictureID, L: TL0PICIDX, T: TID, K: KEYIDX
    ///     M PictureID(7 or 15) (if I) M: 15-bit PictureID
    ///     TL0PICIDX            (if L)
    ///     TID Y KEYIDX         (if T or K)
    public static func descriptorLength(_ payload: UnsafeRawBufferPointer) -> Int? {
        let n = payload.count
        guard n >= 1 else { return nil }
        var o = 1
        guard payload[0] & 0x80 != 0 else { return o }
        guard n > o else { return nil }
        let ext = payload[o]
        o += 1
        if ext & 0x80 != 0 {  // I
            guard n > o else { return nil }
            o += payload[o] & 0x80 != 0 ? 2 : 1  // M
        }
        if ext & 0x40 != 0 { o += 1 }  // L
        if ext & 0x30 != 0 { o += 1 }  // T or K
        return o <= n ? o : nil
    }

    /// True for the first packet of a key frame: S bit set, partition index 0 (§4.2), and the
    /// inverse key frame flag P clear in the VP8 payload header (§4.3, RFC 6386 §9.1).
    public static func isKeyframe(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard let d = descriptorLength(payload), d < payload.count else { return false }
        let b0 = payload[0]
        guard b0 & 0x10 != 0, b0 & 0x07 == 0 else { return false }
        return payload[d] & 0x01 == 0
    }

    /// The 7- or 15-bit PictureID if present (RFC 7741 §4.2).
    public static func pictureID(_ payload: UnsafeRawBufferPointer) -> UInt16? {
        guard payload.count >= 3, payload[0] & 0x80 != 0, payload[1] & 0x80 != 0 else { return nil }
        if payload[2] & 0x80 != 0 {
            guard payload.count >= 4 else { return nil }
            return payload.be16(2) & 0x7FFF
        }
        return UInt16(payload[2])
    }
}
