/// The data channels of one association and their stream identifiers, without I/O.
struct DataChannelTable: Sendable {
    struct Channel: Equatable, Sendable {
        var info: DataChannelInfo
        /// RFC 8832 §6: until the DATA_CHANNEL_ACK arrives, the opener sends ordered.
        var acknowledged: Bool
        /// We reset our outgoing stream and wait for the peer to reset its own.
        var closing: Bool
    }

    /// How to send a user message on a channel (sndinfo / prinfo for usrsctp_sendv).
    struct SendParameters: Equatable, Sendable {
        var unordered: Bool
        /// SCTP_PR_SCTP_NONE / _TTL / _RTX.
        var prPolicy: UInt16
        var prValue: UInt32
    }

    static let prNone: UInt16 = 0x0000
    static let prTTL: UInt16 = 0x0001
    static let prRTX: UInt16 = 0x0003

    let isDTLSClient: Bool
    /// Number of negotiated streams; identifiers are below this.
    let streamCount: UInt16
    private(set) var channels: [UInt16: Channel] = [:]
    private var nextLocalID: UInt16

    init(isDTLSClient: Bool, streamCount: UInt16) {
        self.isDTLSClient = isDTLSClient
        self.streamCount = max(streamCount, 2)
        // RFC 8832 §6: the DTLS client uses even stream identifiers, the server odd.
        nextLocalID = isDTLSClient ? 0 : 1
    }

    /// Picks the next free stream of our parity and records a locally opened channel.
    /// Returns nil when every stream of our parity is in use.
    mutating func openLocal(label: String, reliability: DataChannelReliability, protocol: String) -> DataChannelInfo? {
        let candidates = Int(streamCount) / 2 + 1
        var id = nextLocalID
        for _ in 0..<candidates {
            if id >= streamCount { id = isDTLSClient ? 0 : 1 }
            if channels[id] == nil {
                let info = DataChannelInfo(streamID: id, reliability: reliability, label: label, protocol: `protocol`)
                channels[id] = Channel(info: info, acknowledged: false, closing: false)
                nextLocalID = id &+ 2
                return info
            }
            id = id &+ 2
        }
        return nil
    }

    /// RFC 8832 §6: a DATA_CHANNEL_OPEN from the peer creates the channel on its stream.
    /// A repeated OPEN on a live stream replaces the old description.
    mutating func openRemote(streamID: UInt16, channelType: UInt8, reliabilityParameter: UInt32,
                             label: String, protocol: String) -> DataChannelInfo {
        let info = DataChannelInfo(streamID: streamID, channelType: channelType,
                                   reliabilityParameter: reliabilityParameter, label: label, protocol: `protocol`)
        channels[streamID] = Channel(info: info, acknowledged: true, closing: false)
        return info
    }

    /// RFC 8832 §6: DATA_CHANNEL_ACK received for a channel we opened.
    mutating func acknowledge(streamID: UInt16) {
        channels[streamID]?.acknowledged = true
    }

    func sendParameters(streamID: UInt16) -> SendParameters? {
        guard let channel = channels[streamID], !channel.closing else { return nil }
        let info = channel.info
        var parameters = SendParameters(unordered: !info.ordered && channel.acknowledged,
                                        prPolicy: Self.prNone, prValue: 0)
        if let retransmits = info.maxRetransmits {
            parameters.prPolicy = Self.prRTX
            parameters.prValue = UInt32(retransmits)
        } else if let lifetime = info.maxPacketLifeTime {
            parameters.prPolicy = Self.prTTL
            parameters.prValue = UInt32(lifetime)
        }
        return parameters
    }

    /// Marks a channel as closing; false if it is unknown or already closing.
    mutating func beginClose(streamID: UInt16) -> Bool {
        guard let channel = channels[streamID], !channel.closing else { return false }
        channels[streamID]?.closing = true
        return true
    }

    @discardableResult
    mutating func remove(streamID: UInt16) -> Channel? {
        channels.removeValue(forKey: streamID)
    }

    mutating func removeAll() {
        channels.removeAll()
    }
}
