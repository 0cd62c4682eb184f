/// Writes a fresh RTP header (RFC 3550 §5.1) with optional header extensions (RFC 8285) into a
/// caller-provided buffer. Uses the one-byte form (§4.2) when every id is 1...14 and every value is
/// 1...16 bytes, else the two-byte form (§4.3). Extensions are stored inline (no heap allocation):
/// at most `maxExtensions` elements and `maxExtensionBytes` value bytes in total.
public struct RTPHeaderWriter: Sendable {
    public static let maxExtensions = 8
    public static let maxExtensionBytes = 256

    public var payloadType: UInt8
    public var marker: Bool
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32

    private var extensionCount = 0
    private var valueBytes = 0
    private var ids: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var lengths: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var data = InlineBytes256()

    public init(payloadType: UInt8, marker: Bool, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32) {
        self.payloadType = payloadType
        self.marker = marker
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
    }

    /// Number of extensions added so far.
    public var extensionCountAdded: Int { extensionCount }

    /// Adds one extension element. Returns false (and adds nothing) if the id is 0, the value is
    /// longer than 255 bytes, or the inline storage is full.
    @discardableResult
    public mutating func addExtension(id: UInt8, value: UnsafeRawBufferPointer) -> Bool {
        let len = value.count
        guard id != 0, len <= 255, extensionCount < RTPHeaderWriter.maxExtensions,
              valueBytes + len <= RTPHeaderWriter.maxExtensionBytes else { return false }
        let index = extensionCount
        let start = valueBytes
        withUnsafeMutableBytes(of: &ids) { $0[index] = id }
        withUnsafeMutableBytes(of: &lengths) { $0[index] = UInt8(len) }
        if len > 0 {
            withUnsafeMutableBytes(of: &data) { dst in
                UnsafeMutableRawBufferPointer(rebasing: dst[start..<(start + len)]).copyMemory(from: value)
            }
        }
        extensionCount += 1
        valueBytes += len
        return true
    }

    /// Convenience overload for array values.
    @discardableResult
    public mutating func addExtension(id: UInt8, value: [UInt8]) -> Bool {
        value.withUnsafeBytes { addExtension(id: id, value: $0) }
    }

    private func id(_ i: Int) -> UInt8 {
        var copy = ids
        return withUnsafeBytes(of: &copy) { $0[i] }
    }

    private func length(_ i: Int) -> Int {
        var copy = lengths
        return withUnsafeBytes(of: &copy) { Int($0[i]) }
    }

    /// RFC 8285 §4.2 constraints: ids 1-14, lengths 1-16.
    private var usesOneByteForm: Bool {
        for i in 0..<extensionCount {
            let l = length(i)
            if id(i) > 14 || l < 1 || l > 16 { return false }
        }
        return true
    }

    /// Bytes of extension elements including padding to a 32-bit boundary (0 when none).
    private var extensionBodyLength: Int {
        guard extensionCount > 0 else { return 0 }
        let perElement = usesOneByteForm ? 1 : 2
        let raw = valueBytes + perElement * extensionCount
        return (raw + 3) & ~3
    }

    public var byteCount: Int {
        extensionCount == 0 ? 12 : 12 + 4 + extensionBodyLength
    }

    /// Writes the header; returns the number of bytes written, or 0 if `out` is too small.
    public func write(into out: UnsafeMutableRawBufferPointer) -> Int {
        let total = byteCount
        guard out.count >= total else { return 0 }
        out[0] = 0x80 | (extensionCount > 0 ? 0x10 : 0)  // V=2, P=0, X, CC=0
        out[1] = (marker ? 0x80 : 0) | (payloadType & 0x7F)
        out.put16(sequenceNumber, at: 2)
        out.put32(timestamp, at: 4)
        out.put32(ssrc, at: 8)
        guard extensionCount > 0 else { return 12 }

        let oneByte = usesOneByteForm
        let bodyLength = extensionBodyLength
        out.put16(oneByte ? RTPHeader.oneByteProfile : 0x1000, at: 12)
        out.put16(UInt16(bodyLength / 4), at: 14)
        var o = 16
        var dataOffset = 0
        var store = data
        withUnsafeBytes(of: &store) { src in
            for i in 0..<extensionCount {
                let l = length(i)
                if oneByte {
                    out[o] = id(i) << 4 | UInt8(l - 1)
                    o += 1
                } else {
                    out[o] = id(i)
                    out[o + 1] = UInt8(l)
                    o += 2
                }
                for k in 0..<l { out[o + k] = src[dataOffset + k] }
                o += l
                dataOffset += l
            }
        }
        while o < total { out[o] = 0; o += 1 }
        return total
    }
}

/// 256 bytes of inline storage (a homogeneous tuple is laid out contiguously).
struct InlineBytes256: Sendable {
    var t: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}

/// Builds a complete RTP packet (RFC 3550 §5.1) as an array; convenience for tests and probes.
/// `paddingLength` (0...255) adds padding with the P bit set; extensions that do not fit the
/// writer's inline storage are dropped.
public func buildRTPPacket(payloadType: UInt8, marker: Bool, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
                           extensions: [(UInt8, [UInt8])] = [], payload: [UInt8], paddingLength: Int = 0) -> [UInt8] {
    var writer = RTPHeaderWriter(payloadType: payloadType, marker: marker, sequenceNumber: sequenceNumber,
                                 timestamp: timestamp, ssrc: ssrc)
    for (id, value) in extensions { writer.addExtension(id: id, value: value) }
    let padding = max(0, min(255, paddingLength))
    var packet = [UInt8](repeating: 0, count: writer.byteCount + payload.count + padding)
    let headerLength = packet.withUnsafeMutableBytes { writer.write(into: $0) }
    packet.replaceSubrange(headerLength..<(headerLength + payload.count), with: payload)
    if padding > 0 {
        packet[0] |= 0x20
        packet[packet.count - 1] = UInt8(padding)
    }
    return packet
}
