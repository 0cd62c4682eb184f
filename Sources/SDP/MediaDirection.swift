/// The media direction attribute of a media section (RFC 8866 §6.7).
public enum MediaDirection: String, Sendable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    /// Whether the endpoint that wrote this direction sends media.
    public var sends: Bool { self == .sendrecv || self == .sendonly }
    /// Whether the endpoint that wrote this direction receives media.
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    /// The direction as seen from the other end of the session (RFC 3264 §6.1):
    /// `sendonly` becomes `recvonly` and vice versa.
    public var reversed: MediaDirection {
        switch self {
        case .sendrecv: return .sendrecv
        case .sendonly: return .recvonly
        case .recvonly: return .sendonly
        case .inactive: return .inactive
        }
    }

    /// Builds a direction from whether the endpoint sends and receives.
    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// The largest direction allowed by both: what an answerer that wants `self`
    /// may answer to an offer of `offered` (RFC 3264 §6.1).
    public func answering(_ offered: MediaDirection) -> MediaDirection {
        let allowed = offered.reversed
        return MediaDirection(sends: sends && allowed.sends, receives: receives && allowed.receives)
    }
}

/// The DTLS role attribute `a=setup` (RFC 4145 §4, RFC 5763 §5).
public enum DTLSSetup: String, Sendable, CaseIterable {
    case active, passive, actpass, holdconn

    /// The role an answerer takes when the offer says `offered` and the answerer
    /// would like `preferred` (RFC 5763 §5: an `actpass` offer lets the answerer
    /// choose; `active` and `passive` force the opposite role).
    public static func answer(to offered: DTLSSetup?, preferring preferred: DTLSSetup) -> DTLSSetup {
        switch offered {
        case .active: return .passive
        case .passive: return .active
        case .holdconn: return .holdconn
        case .actpass, nil:
            // An answer must not say actpass (RFC 5763 §5); passive keeps us the DTLS server.
            return preferred == .actpass || preferred == .holdconn ? .passive : preferred
        }
    }
}
