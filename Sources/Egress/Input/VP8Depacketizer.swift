import RTP

/// VP8 payload descriptor handling for frame reassembly (RFC 7741 §4).
enum VP8Depacketizer {
    struct Fragment: Equatable {
        /// Offset of the VP8 payload (after the descriptor) within the RTP payload.
        var dataOffset: Int
        /// S = 1 and PID = 0: the first packet of a frame (RFC 7741 §4.2).
        var startsFrame: Bool
        /// The frame's payload header says key frame (§4.3, P bit clear); only meaningful with `startsFrame`.
        var isKeyframe: Bool
    }

    static func parse(_ payload: UnsafeRawBufferPointer) throws(DepacketizationError) -> Fragment {
        guard let length = VP8Payload.descriptorLength(payload) else { throw .truncatedDescriptor }
        let b0 = payload[0]
        let starts = b0 & 0x10 != 0 && b0 & 0x07 == 0
        // §4.3: a frame's first packet carries the 3-byte payload header after the descriptor.
        if starts && payload.count - length < 3 { throw .truncatedDescriptor }
        return Fragment(dataOffset: length, startsFrame: starts,
                        isKeyframe: starts && VP8Payload.isKeyframe(payload))
    }
}
