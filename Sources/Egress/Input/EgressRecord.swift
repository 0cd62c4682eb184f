/// The pipe format between the SFU (parent) and the egress worker (child process): one record per
/// event, framed by `EgressRecordCodec`.
public enum EgressRecord: Sendable, Equatable {
    case trackAdded(trackID: String, participant: String, kind: TrackMediaKind, codec: MediaCodec, clockRate: UInt32)
    case rtp(trackID: String, arrival: Double, packet: [UInt8])
    case trackRemoved(trackID: String)
    case trackMuted(trackID: String, muted: Bool)
    /// Stop recording and finalize.
    case finish
}

/// Why `EgressRecordCodec.Decoder` rejected the byte stream.
public enum EgressRecordError: Error, Equatable, Sendable {
    /// The length prefix exceeds the decoder's `maxRecordSize` (the stream cannot be resynchronised).
    case oversize(length: Int)
    /// A zero length prefix: every record has at least its type byte.
    case emptyRecord
    case unknownType(UInt8)
    /// A field runs past the end of its record.
    case truncatedField
    /// Bytes left after the last field of a record.
    case trailingBytes
    case invalidUTF8
    case unknownKind(UInt8)
    case unknownCodec(UInt8)
    /// A boolean octet other than 0 or 1.
    case invalidBoolean(UInt8)
}
