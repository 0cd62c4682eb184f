/// Room settings from `sfu.toml` `[room]`, used when a request does not give its own.
public struct RoomDefaults: Sendable, Equatable {
    /// Seconds a room nobody joined is kept.
    public var emptyTimeout: UInt32 = 300
    /// Seconds a room is kept after its last participant left.
    public var departureTimeout: UInt32 = 20
    /// 0 = unlimited.
    public var maxParticipants: UInt32 = 0

    public init(emptyTimeout: UInt32 = 300, departureTimeout: UInt32 = 20, maxParticipants: UInt32 = 0) {
        self.emptyTimeout = emptyTimeout
        self.departureTimeout = departureTimeout
        self.maxParticipants = maxParticipants
    }
}
