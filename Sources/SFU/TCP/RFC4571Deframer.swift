/// RFC 4571 §2 framing, as ICE-TCP uses it (RFC 6544 §3): every STUN, DTLS, RTP or RTCP
/// packet on the stream is preceded by its length as a 16-bit big-endian integer. A pure
/// state machine: bytes in, whole packets out, in order.
struct RFC4571Deframer {
    private var buffer: [UInt8] = []
    private var start = 0

    /// Bytes waiting for the rest of their packet, bounded by one length field's reach.
    var pendingBytes: Int { buffer.count - start }

    /// Adds what the stream delivered.
    mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 65_536 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete packet, or nil until more bytes arrive. A zero length is a valid
    /// (empty) frame and is skipped.
    mutating func next() -> [UInt8]? {
        while buffer.count - start >= 2 {
            let length = Int(buffer[start]) << 8 | Int(buffer[start + 1])
            guard buffer.count - start - 2 >= length else { return nil }
            let packet = Array(buffer[(start + 2)..<(start + 2 + length)])
            start += 2 + length
            if length > 0 { return packet }
        }
        return nil
    }

    /// `packet` framed for the stream.
    static func frame(_ packet: UnsafeRawBufferPointer) -> [UInt8]? {
        guard packet.count <= 0xFFFF else { return nil }
        var framed = [UInt8](repeating: 0, count: packet.count + 2)
        framed[0] = UInt8(packet.count >> 8)
        framed[1] = UInt8(packet.count & 0xFF)
        framed.withUnsafeMutableBytes { out in
            if let base = packet.baseAddress { (out.baseAddress! + 2).copyMemory(from: base, byteCount: packet.count) }
        }
        return framed
    }
}
