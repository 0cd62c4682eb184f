/// What an answer settled for one media section, for the transport and forwarding layers.
public struct NegotiatedMedia: Sendable, Equatable {
    public var mid: String
    /// `audio`, `video` or `application`.
    public var kind: String
    /// OUR direction as written in the answer.
    public var direction: MediaDirection
    /// Accepted codecs in preference order: media codecs first, then their RTX formats.
    /// Payload types are those of the offer.
    public var codecs: [Codec]
    /// Accepted header extensions with the offer's ids.
    public var extmaps: [ExtMap]
    /// The peer's rids as offered (direction `send` when the peer publishes simulcast).
    public var rids: [RID]
    /// The peer's SSRCs from its `a=ssrc` lines, in order.
    public var remoteSSRCs: [UInt32]
    /// The peer's SSRC groups (FID, SIM).
    public var remoteSSRCGroups: [SSRCGroup]
    public var remoteMSID: MSID?
    /// The stream we send, if any.
    public var outgoing: OutgoingStream?
    /// Whether reduced-size RTCP was negotiated (RFC 5506).
    public var rtcpReducedSize: Bool
    /// The peer's `a=sctp-port` for a data channel section (RFC 8841 §5).
    public var remoteSCTPPort: Int?
    /// The peer's `a=max-message-size` for a data channel section (RFC 8841 §6).
    public var remoteMaxMessageSize: Int?

    public init(mid: String, kind: String, direction: MediaDirection, codecs: [Codec] = [],
                extmaps: [ExtMap] = [], rids: [RID] = [], remoteSSRCs: [UInt32] = [],
                remoteSSRCGroups: [SSRCGroup] = [], remoteMSID: MSID? = nil,
                outgoing: OutgoingStream? = nil, rtcpReducedSize: Bool = false,
                remoteSCTPPort: Int? = nil, remoteMaxMessageSize: Int? = nil) {
        self.mid = mid
        self.kind = kind
        self.direction = direction
        self.codecs = codecs
        self.extmaps = extmaps
        self.rids = rids
        self.remoteSSRCs = remoteSSRCs
        self.remoteSSRCGroups = remoteSSRCGroups
        self.remoteMSID = remoteMSID
        self.outgoing = outgoing
        self.rtcpReducedSize = rtcpReducedSize
        self.remoteSCTPPort = remoteSCTPPort
        self.remoteMaxMessageSize = remoteMaxMessageSize
    }

    /// The RTX payload type whose `apt` is `pt` (RFC 4588 §8.6).
    public func rtxPayloadType(for pt: UInt8) -> UInt8? {
        codecs.first(where: { $0.associatedPayloadType == pt })?.payloadType
    }

    /// The first non-RTX codec: the one the peer will most likely send.
    public var primaryCodec: Codec? {
        codecs.first(where: { !$0.isRTX })
    }

    public func codec(payloadType: UInt8) -> Codec? {
        codecs.first(where: { $0.payloadType == payloadType })
    }

    /// The negotiated id of a header extension URI.
    public func extensionId(for uri: String) -> UInt8? {
        extmaps.first(where: { $0.uri == uri })?.id
    }
}
