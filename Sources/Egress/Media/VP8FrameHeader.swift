/// The uncompressed data chunk at the start of a VP8 frame (RFC 6386 §9.1).
struct VP8FrameHeader: Equatable, Sendable {
    enum ParseError: Error, Equatable { case truncated, badStartCode }

    var isKeyframe: Bool
    /// Picture size; present on keyframes only.
    var width: Int?
    var height: Int?

    init(parsing data: [UInt8]) throws(ParseError) {
        guard data.count >= 3 else { throw .truncated }
        // RFC 6386 §9.1: frame tag bit 0 is 0 for a key frame.
        isKeyframe = data[0] & 0x01 == 0
        guard isKeyframe else { return }
        guard data.count >= 10 else { throw .truncated }
        guard data[3] == 0x9d, data[4] == 0x01, data[5] == 0x2a else { throw .badStartCode }
        width = Int(UInt16(data[6]) | UInt16(data[7]) << 8) & 0x3fff
        height = Int(UInt16(data[8]) | UInt16(data[9]) << 8) & 0x3fff
    }
}
