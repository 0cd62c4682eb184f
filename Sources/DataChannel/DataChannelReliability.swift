/// How a data channel delivers messages (RFC 8831 §6.1, RFC 3758 PR-SCTP).
public enum DataChannelReliability: Sendable, Equatable {
    /// Ordered and fully reliable (LiveKit `_reliable`).
    case reliable
    /// Unordered, never retransmitted: ordered=false, maxRetransmits=0 (LiveKit `_lossy`).
    case unordered
    /// Limited retransmissions, ordered or not.
    case partial(maxRetransmits: UInt16, ordered: Bool)

    /// RFC 8832 §5.1 channel type and reliability parameter for DATA_CHANNEL_OPEN.
    var dcepChannelType: (channelType: UInt8, reliabilityParameter: UInt32) {
        switch self {
        case .reliable:
            return (DCEPChannelType.reliable, 0)
        case .unordered:
            return (DCEPChannelType.partialReliableRexmitUnordered, 0)
        case let .partial(maxRetransmits, ordered):
            let type = ordered ? DCEPChannelType.partialReliableRexmit : DCEPChannelType.partialReliableRexmitUnordered
            return (type, UInt32(maxRetransmits))
        }
    }
}

/// RFC 8832 §5.1 channel type values.
enum DCEPChannelType {
    static let reliable: UInt8 = 0x00
    static let reliableUnordered: UInt8 = 0x80
    static let partialReliableRexmit: UInt8 = 0x01
    static let partialReliableRexmitUnordered: UInt8 = 0x81
    static let partialReliableTimed: UInt8 = 0x02
    static let partialReliableTimedUnordered: UInt8 = 0x82
    /// Bit 0x80 marks unordered delivery; the low bits select the reliability policy.
    static let unorderedBit: UInt8 = 0x80
}
