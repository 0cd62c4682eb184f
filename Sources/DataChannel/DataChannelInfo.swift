/// A data channel as negotiated by DCEP (RFC 8832).
public struct DataChannelInfo: Sendable, Equatable {
    public var streamID: UInt16
    public var label: String
    public var `protocol`: String
    public var ordered: Bool
    /// Set for PR-SCTP with limited retransmissions (channel types 0x01 / 0x81).
    public var maxRetransmits: UInt16?
    /// Set for PR-SCTP with limited lifetime in milliseconds (channel types 0x02 / 0x82).
    public var maxPacketLifeTime: UInt16?

    public init(streamID: UInt16, label: String, protocol: String, ordered: Bool,
                maxRetransmits: UInt16? = nil, maxPacketLifeTime: UInt16? = nil) {
        self.streamID = streamID
        self.label = label
        self.protocol = `protocol`
        self.ordered = ordered
        self.maxRetransmits = maxRetransmits
        self.maxPacketLifeTime = maxPacketLifeTime
    }

    /// Builds the channel description from a received DATA_CHANNEL_OPEN (RFC 8832 §5.1).
    /// Reliability parameters wider than 16 bits are clamped (W3C limits both to unsigned short).
    init(streamID: UInt16, channelType: UInt8, reliabilityParameter: UInt32, label: String, protocol: String) {
        let clamped = UInt16(clamping: reliabilityParameter)
        let policy = channelType & ~DCEPChannelType.unorderedBit
        self.init(
            streamID: streamID, label: label, protocol: `protocol`,
            ordered: channelType & DCEPChannelType.unorderedBit == 0,
            maxRetransmits: policy == DCEPChannelType.partialReliableRexmit ? clamped : nil,
            maxPacketLifeTime: policy == DCEPChannelType.partialReliableTimed ? clamped : nil
        )
    }

    init(streamID: UInt16, reliability: DataChannelReliability, label: String, protocol: String) {
        let (type, parameter) = reliability.dcepChannelType
        self.init(streamID: streamID, channelType: type, reliabilityParameter: parameter,
                  label: label, protocol: `protocol`)
    }
}
