/// What an `SCTPAssociation` reports to its owner.
///
/// Events are delivered through the `onEvent` closure given to the association,
/// on whichever thread produced them: the caller of `receive(sctpPacket:)`,
/// `start()`, `openChannel`, `send` or `close`, or usrsctp's own timer thread
/// (retransmissions, SACK timers). The owner must hop onto its own event loop
/// and must not call back into the association synchronously from `onEvent`
/// (usrsctp may hold internal locks while producing `outgoingPacket`).
public enum DataChannelEvent: Sendable {
    /// An SCTP packet to hand to DTLS as application data (RFC 8261).
    case outgoingPacket([UInt8])
    /// The SCTP association reached ESTABLISHED (COMM_UP).
    case associationEstablished
    /// The remote opened a channel with DCEP DATA_CHANNEL_OPEN and we ACKed it.
    case channelOpened(DataChannelInfo)
    /// A complete user message (RFC 8831 §6.6 PPIDs 51/53/56/57).
    case message(streamID: UInt16, binary: Bool, data: [UInt8])
    /// The channel's streams were reset (RFC 8831 §6.7).
    case channelClosed(UInt16)
    /// The association is gone (ABORT, SHUTDOWN, lost, or local close).
    case associationClosed
}
