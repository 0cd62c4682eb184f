import NIOConcurrencyHelpers

/// How many of the objects a call creates are alive now, for `/metrics`
/// (`sfu_live_objects{kind=…}`): when calls end these come back down, so a count that keeps
/// growing while rooms empty is a leak of that kind, and flat counts under a growing RSS point
/// at the allocator or a C library instead. Touched when objects are made and freed (a few
/// times per join), never per packet, so one lock is fine.
public enum LiveObjects {
    public enum Kind: Int, CaseIterable, Sendable {
        case peerConnection, transport, publishedTrack, downTrack, dataChannels
        /// LiveKit's participants (Signal) and the WebSocket connections serving them (Server).
        case participant, signalConnection

        public var label: String {
            switch self {
            case .peerConnection: "peer_connection"
            case .transport: "transport"
            case .publishedTrack: "published_track"
            case .downTrack: "down_track"
            case .dataChannels: "data_channels"
            case .participant: "participant"
            case .signalConnection: "signal_connection"
            }
        }
    }

    private static let counts = NIOLockedValueBox([Int](repeating: 0, count: Kind.allCases.count))

    package static func made(_ kind: Kind) { counts.withLockedValue { $0[kind.rawValue] += 1 } }
    package static func freed(_ kind: Kind) { counts.withLockedValue { $0[kind.rawValue] -= 1 } }

    public static func count(_ kind: Kind) -> Int { counts.withLockedValue { $0[kind.rawValue] } }

    public static var prometheusText: String {
        let now = counts.withLockedValue { $0 }
        var text = "# HELP sfu_live_objects Call objects alive now, by kind (back to 0 when every call has ended)\n"
            + "# TYPE sfu_live_objects gauge\n"
        for kind in Kind.allCases { text += "sfu_live_objects{kind=\"\(kind.label)\"} \(now[kind.rawValue])\n" }
        return text
    }
}
