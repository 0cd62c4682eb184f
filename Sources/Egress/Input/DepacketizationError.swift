/// Why an RTP payload could not be turned into frame data.
public enum DepacketizationError: Error, Equatable, Sendable {
    /// The payload is shorter than its payload header or descriptor.
    case truncatedDescriptor
    /// A STAP-A aggregation unit size runs past the end of the payload (RFC 6184 §5.7.1).
    case truncatedAggregate
    /// NAL unit type 0, 30, 31, or an interleaved-mode type (STAP-B, MTAP, FU-B), none of which
    /// packetization-mode 0/1 allows (RFC 6184 §5.2, Table 3).
    case unsupportedNALType(UInt8)
    /// An FU-A continuation without its start, or a new start while a fragment is open (§5.8).
    case fragmentOutOfOrder
}
