/// Why an RTP packet was rejected by `RTPHeader.parse`.
public enum RTPParseError: Error, Equatable, Sendable {
    case tooShort, badVersion, badCSRCCount, badExtensionLength, badPadding
}

/// Metadata of an RTP packet (RFC 3550 §5.1), parsed from bytes without copying.
/// All offsets are relative to the start of the buffer passed to `parse`.
public struct RTPHeader: Sendable, Equatable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcCount: Int
    /// Number of padding octets at the end of the packet (including the count octet); 0 if none.
    public var paddingLength: Int
    /// 0xBEDE (one-byte, RFC 8285 §4.2) or 0x1000-0x100F (two-byte, §4.3); other values are
    /// foreign profiles whose elements are not interpreted; nil = no extension.
    public var extensionProfile: UInt16?
    /// Byte offset of the first extension element (valid if extensionProfile != nil).
    public var extensionOffset: Int
    /// Bytes of extension elements (length field * 4).
    public var extensionLength: Int
    public var payloadOffset: Int
    /// Payload bytes, excluding padding.
    public var payloadLength: Int

    public init(marker: Bool, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
                csrcCount: Int = 0, paddingLength: Int = 0, extensionProfile: UInt16? = nil,
                extensionOffset: Int = 0, extensionLength: Int = 0, payloadOffset: Int = 12, payloadLength: Int = 0) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcCount = csrcCount
        self.paddingLength = paddingLength
        self.extensionProfile = extensionProfile
        self.extensionOffset = extensionOffset
        self.extensionLength = extensionLength
        self.payloadOffset = payloadOffset
        self.payloadLength = payloadLength
    }

    /// Profile value of the one-byte header extension form (RFC 8285 §4.2).
    public static let oneByteProfile: UInt16 = 0xBEDE

    /// RFC 3550 §5.1 fixed header, §5.3.1 header extension, padding per the P bit.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(RTPParseError) -> RTPHeader {
        let count = bytes.count
        guard count >= 12 else { throw .tooShort }
        let b0 = bytes[0]
        guard b0 >> 6 == 2 else { throw .badVersion }
        let hasPadding = b0 & 0x20 != 0
        let hasExtension = b0 & 0x10 != 0
        let cc = Int(b0 & 0x0F)
        let b1 = bytes[1]
        var offset = 12 + 4 * cc
        guard offset <= count else { throw .badCSRCCount }

        var profile: UInt16? = nil
        var extOffset = 0
        var extLength = 0
        if hasExtension {
            // RFC 3550 §5.3.1: 16-bit profile-defined field, 16-bit length in 32-bit words.
            guard offset + 4 <= count else { throw .badExtensionLength }
            profile = bytes.be16(offset)
            extLength = Int(bytes.be16(offset + 2)) * 4
            extOffset = offset + 4
            guard extOffset + extLength <= count else { throw .badExtensionLength }
            offset = extOffset + extLength
        }

        var padding = 0
        if hasPadding {
            // RFC 3550 §5.1: the last octet counts padding octets including itself.
            guard count > offset else { throw .badPadding }
            padding = Int(bytes[count - 1])
            guard padding > 0, padding <= count - offset else { throw .badPadding }
        }

        return RTPHeader(
            marker: b1 & 0x80 != 0,
            payloadType: b1 & 0x7F,
            sequenceNumber: bytes.be16(2),
            timestamp: bytes.be32(4),
            ssrc: bytes.be32(8),
            csrcCount: cc,
            paddingLength: padding,
            extensionProfile: profile,
            extensionOffset: extOffset,
            extensionLength: extLength,
            payloadOffset: offset,
            payloadLength: count - offset - padding)
    }

    /// The CSRC at `index` (RFC 3550 §5.1), or nil if out of range.
    public func csrc(at index: Int, in bytes: UnsafeRawBufferPointer) -> UInt32? {
        let o = 12 + 4 * index
        guard index >= 0, index < csrcCount, o + 4 <= bytes.count else { return nil }
        return bytes.be32(o)
    }

    /// Range of the payload (without padding) within the buffer.
    public var payloadRange: Range<Int> { payloadOffset..<(payloadOffset + payloadLength) }

    // MARK: - Header extensions (RFC 8285)

    /// Walks extension elements; `body` returns true to stop. Malformed trailing data ends the walk.
    @inline(__always)
    private func walkExtensions(in bytes: UnsafeRawBufferPointer, _ body: (UInt8, Range<Int>) -> Bool) {
        guard let profile = extensionProfile else { return }
        let end = extensionOffset + extensionLength
        guard extensionOffset >= 0, end <= bytes.count else { return }
        var i = extensionOffset
        if profile == RTPHeader.oneByteProfile {
            // RFC 8285 §4.2: ID (4 bits) | L (4 bits, length-1), 0x00 = padding, ID 15 stops parsing.
            while i < end {
                let b = bytes[i]
                if b == 0 { i += 1; continue }
                let id = b >> 4
                if id == 15 { return }
                let len = Int(b & 0x0F) + 1
                let start = i + 1
                guard start + len <= end else { return }
                if body(id, start..<(start + len)) { return }
                i = start + len
            }
        } else if profile & 0xFFF0 == 0x1000 {
            // RFC 8285 §4.3: ID (8 bits) | length (8 bits), ID 0 is a single padding octet.
            while i < end {
                let id = bytes[i]
                if id == 0 { i += 1; continue }
                guard i + 2 <= end else { return }
                let len = Int(bytes[i + 1])
                let start = i + 2
                guard start + len <= end else { return }
                if body(id, start..<(start + len)) { return }
                i = start + len
            }
        }
    }

    /// Finds one header extension element by id (one- or two-byte form); returns the byte range
    /// of its VALUE within `bytes`.
    public func extensionElement(id: UInt8, in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        var found: Range<Int>? = nil
        walkExtensions(in: bytes) { eid, range in
            if eid == id { found = range; return true }
            return false
        }
        return found
    }

    /// Iterates all extension elements (id, value range).
    public func forEachExtension(in bytes: UnsafeRawBufferPointer, _ body: (UInt8, Range<Int>) -> Void) {
        walkExtensions(in: bytes) { id, range in
            body(id, range)
            return false
        }
    }

    // MARK: - In-place field writers (RFC 3550 §5.1 layout); no-ops on buffers shorter than 12 bytes.

    public static func writeSequenceNumber(_ v: UInt16, into p: UnsafeMutableRawBufferPointer) {
        guard p.count >= 12 else { return }
        p.put16(v, at: 2)
    }

    public static func writeTimestamp(_ v: UInt32, into p: UnsafeMutableRawBufferPointer) {
        guard p.count >= 12 else { return }
        p.put32(v, at: 4)
    }

    public static func writeSSRC(_ v: UInt32, into p: UnsafeMutableRawBufferPointer) {
        guard p.count >= 12 else { return }
        p.put32(v, at: 8)
    }

    public static func writePayloadType(_ pt: UInt8, marker: Bool, into p: UnsafeMutableRawBufferPointer) {
        guard p.count >= 12 else { return }
        p[1] = (marker ? 0x80 : 0) | (pt & 0x7F)
    }
}
