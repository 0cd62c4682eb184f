/// VP8 RTP packetization (RFC 7741): each frame split into near-equal fragments, each led by a
/// four-byte payload descriptor carrying a 15-bit PictureID (§4.2). The marker bit goes on the
/// last packet of a frame (§4.1). Pure arithmetic; the caller writes header and payload.
public enum VP8Packetizer {
    /// X | S | PID, I, M + PictureID (two bytes).
    public static let descriptorLength = 4

    /// Packets needed for a frame of `frameLength` bytes when each may carry `maxPayload`
    /// bytes of RTP payload (descriptor included).
    public static func packetCount(frameLength: Int, maxPayload: Int) -> Int {
        let room = max(1, maxPayload - descriptorLength)
        return max(1, (frameLength + room - 1) / room)
    }

    /// Byte range of the frame carried by fragment `index` of `count`: sizes differ by at most
    /// one byte, the larger ones first.
    public static func fragment(_ index: Int, of count: Int, frameLength: Int) -> Range<Int> {
        let base = frameLength / count
        let larger = frameLength % count
        let start = index * base + min(index, larger)
        let length = base + (index < larger ? 1 : 0)
        return start..<(start + length)
    }

    /// Writes the payload descriptor (RFC 7741 §4.2): X=1, N=0, S on the first fragment of the
    /// frame, PID=0; I=1; M=1 and the 15-bit PictureID. Returns the bytes written (4).
    @inline(__always)
    public static func writeDescriptor(into out: UnsafeMutableRawPointer, pictureID: UInt16, startOfFrame: Bool) -> Int {
        out.storeBytes(of: startOfFrame ? 0x90 : 0x80, toByteOffset: 0, as: UInt8.self)
        out.storeBytes(of: 0x80, toByteOffset: 1, as: UInt8.self)
        let id = pictureID & 0x7FFF
        out.storeBytes(of: UInt8(0x80 | (id >> 8)), toByteOffset: 2, as: UInt8.self)
        out.storeBytes(of: UInt8(id & 0xFF), toByteOffset: 3, as: UInt8.self)
        return descriptorLength
    }
}
