/// Our side of the bundled transport, written into every accepted media section.
public struct LocalTransportParameters: Sendable {
    public var iceUfrag: String
    public var icePwd: String
    public var fingerprint: Fingerprint
    /// Preferred DTLS role; in an answer `actpass` becomes `passive` (RFC 5763 §5).
    public var setup: DTLSSetup
    /// Raw candidate values (`ICECandidate.sdpValue`).
    public var candidates: [String]
    /// Adds `a=ice-lite` at session level (RFC 8839 §5.3).
    public var iceLite: Bool

    public init(iceUfrag: String, icePwd: String, fingerprint: Fingerprint, setup: DTLSSetup = .passive,
                candidates: [String] = [], iceLite: Bool = true) {
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.fingerprint = fingerprint
        self.setup = setup
        self.candidates = candidates
        self.iceLite = iceLite
    }
}

/// A stream we send in a media section: written as `a=msid` plus `a=ssrc` cname/msid lines
/// (RFC 8830 §2, RFC 5576 §4.1), and an `a=ssrc-group:FID` when an RTX SSRC is given (RFC 4588 §8.3).
public struct OutgoingStream: Sendable, Equatable {
    public var ssrc: UInt32
    public var cname: String
    public var streamId: String
    public var trackId: String
    /// SSRC of the retransmission stream, used when an RTX codec is negotiated.
    public var rtxSSRC: UInt32?

    public init(ssrc: UInt32, cname: String, streamId: String, trackId: String, rtxSSRC: UInt32? = nil) {
        self.ssrc = ssrc
        self.cname = cname
        self.streamId = streamId
        self.trackId = trackId
        self.rtxSSRC = rtxSSRC
    }
}

/// What the server wants for one offered media section.
public struct MediaAnswerChoice: Sendable {
    /// The direction we would like; the answer uses the part the offer allows (RFC 3264 §6.1).
    public var direction: MediaDirection
    /// Our stream, written when the answered direction sends.
    public var outgoing: OutgoingStream?
    /// Reject the section (port 0) whatever it offers.
    public var reject: Bool
    /// Codecs and extensions for this section, instead of the answer's (a section that sends
    /// one particular track offers only that track's codec).
    public var preferences: CodecPreferences?

    public init(direction: MediaDirection, outgoing: OutgoingStream? = nil, preferences: CodecPreferences? = nil) {
        self.direction = direction
        self.outgoing = outgoing
        self.reject = false
        self.preferences = preferences
    }

    /// A choice that rejects the section.
    public static let rejected: MediaAnswerChoice = {
        var choice = MediaAnswerChoice(direction: .inactive)
        choice.reject = true
        return choice
    }()
}

/// Why no answer could be built.
public enum SDPAnswerError: Error, Equatable, Sendable {
    /// More than one section would be accepted but the offer has no `a=group:BUNDLE`;
    /// we serve everything on one transport (RFC 8843).
    case noBundle
    /// An offered section to be accepted has no `a=mid` (RFC 8843 §7.2 needs one).
    case missingMid(index: Int)
    /// An accepted section has no ICE ufrag/pwd at media or session level (RFC 8839 §5.4).
    case missingICECredentials
    /// An accepted section has no certificate fingerprint (RFC 8122 §5).
    case missingFingerprint
    /// No offered codec is acceptable (thrown by `CodecPreferences.select`; `makeAnswer`
    /// rejects such a section with port 0 instead of failing).
    case noCommonCodec(mid: String)
}
