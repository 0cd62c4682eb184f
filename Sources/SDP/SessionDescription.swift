/// A whole session description (RFC 8866 §5): session-level lines and media sections.
public struct SessionDescription: Sendable, Equatable {
    // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (RFC 8866 §5.2)
    public var originUsername: String
    public var sessionId: String
    public var sessionVersion: String
    public var originNetType: String
    public var originAddressType: String
    public var originAddress: String
    /// `s=` (RFC 8866 §5.3); `-` when there is none to give.
    public var sessionName: String
    /// Session-level `c=` value.
    public var connection: String?
    public var bandwidths: [String]
    /// `t=` value(s), normally `0 0` (RFC 8866 §5.9).
    public var timing: [String]
    /// Unmodelled session-level lines (`i=`, `u=`, `e=`, `p=`, `r=`, `z=`, `k=`).
    public var otherLines: [RawLine]

    public var groups: [Group]
    /// `a=ice-lite` (RFC 8839 §5.3).
    public var iceLite: Bool
    public var iceUfrag: String?
    public var icePwd: String?
    public var fingerprint: Fingerprint?
    public var setup: DTLSSetup?
    /// `a=msid-semantic` value without leading blanks, e.g. `WMS` or `WMS *`.
    public var msidSemantic: String?
    public var otherAttributes: [Attribute]

    public var media: [MediaDescription]

    public init(originUsername: String = "-", sessionId: String, sessionVersion: String,
                originAddress: String = "127.0.0.1", sessionName: String = "-") {
        self.originUsername = originUsername
        self.sessionId = sessionId
        self.sessionVersion = sessionVersion
        originNetType = "IN"
        originAddressType = "IP4"
        self.originAddress = originAddress
        self.sessionName = sessionName
        connection = nil
        bandwidths = []
        timing = ["0 0"]
        otherLines = []
        groups = []
        iceLite = false
        iceUfrag = nil
        icePwd = nil
        fingerprint = nil
        setup = nil
        msidSemantic = nil
        otherAttributes = []
        media = []
    }

    /// The mids of the first `BUNDLE` group (RFC 8843 §7.1), empty without one.
    public var bundleMids: [String] {
        groups.first(where: { $0.semantics == "BUNDLE" })?.mids ?? []
    }

    /// The media section with a mid.
    public func media(mid: String) -> MediaDescription? {
        media.first(where: { $0.mid == mid })
    }

    /// ICE credentials of a media section, falling back to the session level (RFC 8839 §5.4).
    public func iceCredentials(for media: MediaDescription) -> (ufrag: String, pwd: String)? {
        guard let ufrag = media.iceUfrag ?? iceUfrag, let pwd = media.icePwd ?? icePwd else { return nil }
        return (ufrag, pwd)
    }

    /// The fingerprint of a media section, falling back to the session level (RFC 8122 §5).
    public func fingerprint(for media: MediaDescription) -> Fingerprint? {
        media.fingerprint ?? fingerprint
    }

    /// The DTLS setup role of a media section, falling back to the session level (RFC 4145 §4).
    public func setup(for media: MediaDescription) -> DTLSSetup? {
        media.setup ?? setup
    }

    /// Whether a session-level attribute without a dedicated field is present,
    /// e.g. `extmap-allow-mixed`.
    public func hasAttribute(_ name: String) -> Bool {
        otherAttributes.contains(where: { $0.name == name })
    }
}
