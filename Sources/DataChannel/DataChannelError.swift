/// Errors thrown by `SCTPAssociation`.
public enum DataChannelError: Error, Equatable, Sendable {
    /// usrsctp refused an operation; the string names the call and errno.
    case sctp(String)
    /// The association is closed (or was never started).
    case closed
    /// The message exceeds the association's maximum message size (RFC 8841 a=max-message-size).
    case tooLarge
    /// No data channel is open on that stream.
    case unknownChannel
}
