/// VP9 RTP payload (draft-ietf-payload-vp9 / RFC 9628 §4.2): keyframe detection, good enough for
/// forwarding decisions.
public enum VP9Payload {
    /// True for the first packet (B set) of a frame that is not inter-picture predicted (P clear)
    /// in spatial layer 0 (SID from the layer indices when L is present).
    ///
    ///     I P L F B E V Z      I: PictureID present, L: layer indices present
    ///     M PictureID(7/15)    (if I)
    ///     TID U SID D          (if L)
    public static func isKeyframe(_ payload: UnsafeRawBufferPointer) -> Bool {
        let n = payload.count
        guard n >= 1 else { return false }
        let b0 = payload[0]
        guard b0 & 0x40 == 0, b0 & 0x08 != 0 else { return false }  // P clear, B set
        guard b0 & 0x20 != 0 else { return true }  // no layer indices: single layer
        var o = 1
        if b0 & 0x80 != 0 {
            guard n > o else { return false }
            o += payload[o] & 0x80 != 0 ? 2 : 1
        }
        guard n > o else { return false }
        let sid = (payload[o] >> 1) & 0x07
        return sid == 0
    }
}
