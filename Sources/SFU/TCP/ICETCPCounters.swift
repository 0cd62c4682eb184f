import NIOConcurrencyHelpers

/// What the ICE-TCP listener did, for `/metrics`: connections accepted, refused (their first
/// packet was not a STUN check for a transport we have, or none came in time) and open now.
/// Touched per connection, never per packet, so a lock is fine.
public final class ICETCPCounters: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var accepted: UInt64 = 0
        public var refused: UInt64 = 0
        public var open: Int = 0
    }
    private let state = NIOLockedValueBox(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLockedValue { $0 } }

    func opened() { state.withLockedValue { $0.accepted += 1; $0.open += 1 } }
    func closed() { state.withLockedValue { $0.open -= 1 } }
    func refused() { state.withLockedValue { $0.refused += 1 } }

    public var prometheusText: String {
        let s = snapshot
        return """
            # HELP sfu_ice_tcp_connections ICE-TCP connections open (RFC 6544 passive candidate)
            # TYPE sfu_ice_tcp_connections gauge
            sfu_ice_tcp_connections \(s.open)
            # HELP sfu_ice_tcp_connections_accepted_total ICE-TCP connections accepted
            # TYPE sfu_ice_tcp_connections_accepted_total counter
            sfu_ice_tcp_connections_accepted_total \(s.accepted)
            # HELP sfu_ice_tcp_connections_refused_total ICE-TCP connections closed before carrying a check for one of our transports
            # TYPE sfu_ice_tcp_connections_refused_total counter
            sfu_ice_tcp_connections_refused_total \(s.refused)

            """
    }
}
