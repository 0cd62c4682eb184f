/// One media section: an `m=` line and the lines up to the next one (RFC 8866 §5.14).
public struct MediaDescription: Sendable, Equatable {
    /// `audio`, `video` or `application`.
    public var kind: String
    /// Transport port; 0 marks a rejected or disabled section (RFC 3264 §6).
    public var port: Int
    /// e.g. `UDP/TLS/RTP/SAVPF` or `UDP/DTLS/SCTP`.
    public var proto: String
    /// The format list of the m-line: payload types as text, or `webrtc-datachannel`.
    public var formats: [String]

    /// `c=` value, e.g. `IN IP4 0.0.0.0`.
    public var connection: String?
    /// `b=` values, e.g. `AS:2500`.
    public var bandwidths: [String]
    /// Other unmodelled media-level lines (`i=`, `k=`).
    public var otherLines: [RawLine]

    public var mid: String?
    /// Media direction; `sendrecv` when no direction attribute is present (RFC 8866 §6.7).
    public var direction: MediaDirection
    public var iceUfrag: String?
    public var icePwd: String?
    public var iceOptions: String?
    public var fingerprint: Fingerprint?
    public var setup: DTLSSetup?
    public var rtcpMux: Bool
    public var rtcpReducedSize: Bool

    /// Codecs with an rtpmap (or a static payload type), in m-line format order.
    public var codecs: [Codec]
    public var extmaps: [ExtMap]
    public var ssrcs: [SSRCAttribute]
    public var ssrcGroups: [SSRCGroup]
    public var msid: MSID?
    public var rids: [RID]
    /// Raw value of `a=simulcast`, e.g. `send f;h;q`.
    public var simulcast: String?
    /// Candidate values after `a=candidate:`, kept raw; see `ICECandidate.parse`.
    public var candidates: [String]
    public var endOfCandidates: Bool
    /// `a=sctp-port` (RFC 8841 §5).
    public var sctpPort: Int?
    /// `a=max-message-size` (RFC 8841 §6).
    public var maxMessageSize: Int?
    /// Attributes not modelled above, in their original order.
    public var otherAttributes: [Attribute]

    public init(kind: String, port: Int = 9, proto: String, formats: [String]) {
        self.kind = kind
        self.port = port
        self.proto = proto
        self.formats = formats
        connection = nil
        bandwidths = []
        otherLines = []
        mid = nil
        direction = .sendrecv
        iceUfrag = nil
        icePwd = nil
        iceOptions = nil
        fingerprint = nil
        setup = nil
        rtcpMux = false
        rtcpReducedSize = false
        codecs = []
        extmaps = []
        ssrcs = []
        ssrcGroups = []
        msid = nil
        rids = []
        simulcast = nil
        candidates = []
        endOfCandidates = false
        sctpPort = nil
        maxMessageSize = nil
        otherAttributes = []
    }

    /// The first SSRC that is not a repair stream: not the second or later member of an
    /// `FID` (RFC 4588 §8.3) or `FEC`/`FEC-FR` (RFC 5956 §4.3) group.
    public var primarySSRC: UInt32? {
        var repair = Set<UInt32>()
        for group in ssrcGroups where ["FID", "FEC", "FEC-FR"].contains(group.semantics.uppercased()) {
            repair.formUnion(group.ssrcs.dropFirst())
        }
        if let group = ssrcGroups.first(where: { $0.semantics.uppercased() == "SIM" }),
           let first = group.ssrcs.first {
            return first
        }
        return ssrcs.first(where: { !repair.contains($0.ssrc) })?.ssrc
    }

    /// Distinct SSRCs of the `a=ssrc` lines in order of first appearance.
    public var distinctSSRCs: [UInt32] {
        var seen = Set<UInt32>()
        return ssrcs.compactMap { seen.insert($0.ssrc).inserted ? $0.ssrc : nil }
    }

    /// The value of the first `a=ssrc:<ssrc> <name>` attribute.
    public func ssrcAttribute(_ ssrc: UInt32, _ name: String) -> String? {
        ssrcs.first(where: { $0.ssrc == ssrc && $0.name == name })?.value
    }

    /// The codec with a payload type.
    public func codec(payloadType: UInt8) -> Codec? {
        codecs.first(where: { $0.payloadType == payloadType })
    }

    /// The parsed `a=simulcast` value, if present and well formed.
    public var simulcastDescription: SimulcastDescription? {
        simulcast.flatMap(SimulcastDescription.parse)
    }

    /// The first unmodelled attribute with a name.
    public func attribute(_ name: String) -> Attribute? {
        otherAttributes.first(where: { $0.name == name })
    }

    /// Whether the section is rejected (port 0, RFC 3264 §6) and not bundle-only (RFC 8843 §6).
    public var isRejected: Bool {
        port == 0 && !otherAttributes.contains(where: { $0.name == "bundle-only" })
    }
}
