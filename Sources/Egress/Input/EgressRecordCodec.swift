/// Length-prefixed framing of `EgressRecord`s:
///
///     record   = length:u32 type:u8 fields      (length counts type + fields, big-endian)
///     string   = byteCount:u16 UTF-8 bytes
///     1 trackAdded   trackID participant kind:u8 codec:u8 clockRate:u32
///     2 rtp          trackID arrival:u64 (IEEE 754 bits) packet (the rest of the record)
///     3 trackRemoved trackID
///     4 trackMuted   trackID muted:u8 (0 or 1)
///     5 finish
public enum EgressRecordCodec {
    enum RecordType: UInt8 {
        case trackAdded = 1, rtp, trackRemoved, trackMuted, finish
    }

    static func wireValue(_ kind: TrackMediaKind) -> UInt8 {
        switch kind {
        case .audio: return 0
        case .video: return 1
        }
    }

    static func wireValue(_ codec: MediaCodec) -> UInt8 {
        switch codec {
        case .opus: return 0
        case .vp8: return 1
        case .h264: return 2
        case .vp9: return 3
        case .av1: return 4
        }
    }

    public static func encode(_ record: EgressRecord) -> [UInt8] {
        var out: [UInt8] = []
        switch record {
        case let .rtp(trackID, arrival, packet):
            out.reserveCapacity(4 + 1 + 2 + trackID.utf8.count + 8 + packet.count)
            packet.withUnsafeBytes { appendRTP(trackID: trackID, arrival: arrival, packet: $0, to: &out) }
        default:
            appendFramed(to: &out) { out in
                switch record {
                case let .trackAdded(trackID, participant, kind, codec, clockRate):
                    out.append(RecordType.trackAdded.rawValue)
                    appendString(trackID, to: &out)
                    appendString(participant, to: &out)
                    out.append(wireValue(kind))
                    out.append(wireValue(codec))
                    appendU32(clockRate, to: &out)
                case .rtp:
                    preconditionFailure("framed above")
                case let .trackRemoved(trackID):
                    out.append(RecordType.trackRemoved.rawValue)
                    appendString(trackID, to: &out)
                case let .trackMuted(trackID, muted):
                    out.append(RecordType.trackMuted.rawValue)
                    appendString(trackID, to: &out)
                    out.append(muted ? 1 : 0)
                case .finish:
                    out.append(RecordType.finish.rawValue)
                }
            }
        }
        return out
    }

    /// Appends one RTP record, what `encode(.rtp(...))` returns for these values, without an
    /// intermediate array: the recording tap batches packets this way on the media loop.
    public static func appendRTP(trackID: String, arrival: Double, packet: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        appendFramed(to: &out) { out in
            out.append(RecordType.rtp.rawValue)
            appendString(trackID, to: &out)
            let bits = arrival.bitPattern
            appendU32(UInt32(truncatingIfNeeded: bits >> 32), to: &out)
            appendU32(UInt32(truncatingIfNeeded: bits), to: &out)
            out.append(contentsOf: packet)
        }
    }

    /// Appends a record: a 4-byte big-endian length, then what `body` appends.
    static func appendFramed(to out: inout [UInt8], _ body: (inout [UInt8]) -> Void) {
        let start = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        body(&out)
        let length = UInt32(truncatingIfNeeded: out.count - start - 4)
        out[start] = UInt8(truncatingIfNeeded: length >> 24)
        out[start + 1] = UInt8(truncatingIfNeeded: length >> 16)
        out[start + 2] = UInt8(truncatingIfNeeded: length >> 8)
        out[start + 3] = UInt8(truncatingIfNeeded: length)
    }

    static func appendU32(_ v: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: v >> 24))
        out.append(UInt8(truncatingIfNeeded: v >> 16))
        out.append(UInt8(truncatingIfNeeded: v >> 8))
        out.append(UInt8(truncatingIfNeeded: v))
    }

    /// Strings longer than 65535 UTF-8 bytes are cut at the last whole scalar that fits.
    static func appendString(_ s: String, to out: inout [UInt8]) {
        let count = s.utf8.count
        if count <= 0xFFFF {  // the usual case, without a copy of the bytes
            out.append(UInt8(truncatingIfNeeded: count >> 8))
            out.append(UInt8(truncatingIfNeeded: count))
            out.append(contentsOf: s.utf8)
            return
        }
        var bytes = Array(s.utf8)
        if bytes.count > 0xFFFF {
            var end = 0xFFFF
            while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }  // do not split a scalar
            bytes.removeSubrange(end...)
        }
        out.append(UInt8(truncatingIfNeeded: bytes.count >> 8))
        out.append(UInt8(truncatingIfNeeded: bytes.count))
        out.append(contentsOf: bytes)
    }

    /// Incremental decoder over a byte stream (pipe reads arrive in arbitrary chunks).
    public struct Decoder: Sendable {
        public let maxRecordSize: Int
        private var buffer: [UInt8] = []
        private var readOffset = 0
        private var failure: EgressRecordError?

        public init(maxRecordSize: Int = 1 << 20) {
            self.maxRecordSize = max(1, maxRecordSize)
        }

        /// Bytes received but not yet decoded.
        public var bufferedByteCount: Int { buffer.count - readOffset }

        public mutating func append(_ bytes: [UInt8]) {
            if readOffset > 0, readOffset >= buffer.count / 2 {
                buffer.removeSubrange(0..<readOffset)
                readOffset = 0
            }
            buffer.append(contentsOf: bytes)
        }

        /// The next record; nil when more bytes are needed. A malformed record throws and is
        /// skipped (the framing is intact); an oversize or empty length prefix throws on every
        /// later call, since the stream cannot be resynchronised.
        public mutating func next() throws -> EgressRecord? {
            if let failure { throw failure }
            let available = buffer.count - readOffset
            guard available >= 4 else { return nil }
            let o = readOffset
            let length = Int(buffer[o]) << 24 | Int(buffer[o + 1]) << 16 | Int(buffer[o + 2]) << 8 | Int(buffer[o + 3])
            guard length > 0 else { failure = .emptyRecord; throw EgressRecordError.emptyRecord }
            guard length <= maxRecordSize else {
                failure = .oversize(length: length)
                throw EgressRecordError.oversize(length: length)
            }
            guard available - 4 >= length else { return nil }
            let start = o + 4
            readOffset = start + length
            return try buffer.withUnsafeBytes { all throws(EgressRecordError) -> EgressRecord in
                var reader = RecordFieldReader(UnsafeRawBufferPointer(rebasing: all[start..<(start + length)]))
                return try EgressRecordCodec.decodeBody(&reader)
            }
        }
    }

    static func decodeBody(_ r: inout RecordFieldReader) throws(EgressRecordError) -> EgressRecord {
        let typeByte = try r.u8()
        guard let type = RecordType(rawValue: typeByte) else { throw .unknownType(typeByte) }
        let record: EgressRecord
        switch type {
        case .trackAdded:
            let trackID = try r.string()
            let participant = try r.string()
            let kindByte = try r.u8()
            let kind: TrackMediaKind
            switch kindByte {
            case 0: kind = .audio
            case 1: kind = .video
            default: throw .unknownKind(kindByte)
            }
            let codecByte = try r.u8()
            guard let codec = MediaCodec.allCases.first(where: { wireValue($0) == codecByte }) else {
                throw .unknownCodec(codecByte)
            }
            record = .trackAdded(trackID: trackID, participant: participant, kind: kind, codec: codec,
                                 clockRate: try r.u32())
        case .rtp:
            let trackID = try r.string()
            let high = UInt64(try r.u32())
            let low = UInt64(try r.u32())
            let arrival = Double(bitPattern: high << 32 | low)
            return .rtp(trackID: trackID, arrival: arrival, packet: r.rest())
        case .trackRemoved:
            record = .trackRemoved(trackID: try r.string())
        case .trackMuted:
            let trackID = try r.string()
            let flag = try r.u8()
            guard flag <= 1 else { throw .invalidBoolean(flag) }
            record = .trackMuted(trackID: trackID, muted: flag == 1)
        case .finish:
            record = .finish
        }
        guard r.isAtEnd else { throw .trailingBytes }
        return record
    }
}

/// Bounds-checked big-endian reads over one record's bytes.
struct RecordFieldReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func u8() throws(EgressRecordError) -> UInt8 {
        guard offset < bytes.count else { throw .truncatedField }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(EgressRecordError) -> UInt16 {
        guard bytes.count - offset >= 2 else { throw .truncatedField }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(EgressRecordError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw .truncatedField }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func string() throws(EgressRecordError) -> String {
        let count = Int(try u16())
        guard bytes.count - offset >= count else { throw .truncatedField }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        guard let s = String(validating: slice, as: UTF8.self) else { throw .invalidUTF8 }
        return s
    }

    mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
    }
}
