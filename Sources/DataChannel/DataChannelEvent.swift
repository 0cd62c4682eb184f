/// What an `SCTPAssociation` reports to its owner.
///
/// Events are delivered through the `onEvent` closure given to the association, on
/// whichever thread produced them: the caller of `receive(sctpPacket:)`, `start()`,
/// `openChannel`, `send`, `closeChannel` or `close`, or the process-wide usrsctp timer
/// queue (retransmissions, SACK and heartbeat timers). They are produced while usrsctp
/// runs under its process-wide lock, so `onEvent` must be quick and non-blocking: hop onto
/// your event loop (e.g. `eventLoop.execute { ... }`) and act there.
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
