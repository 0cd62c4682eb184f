/// One media section of an offer we make (the LiveKit subscriber peer connection).
public struct OfferSection: Sendable {
    public var mid: String
    /// `audio` or `video`.
    public var kind: String
    public var direction: MediaDirection
    /// Codecs in preference order, RTX included.
    public var codecs: [Codec]
    public var extmaps: [ExtMap]
    public var outgoing: OutgoingStream?
    public var rtcpReducedSize: Bool

    public init(mid: String, kind: String, direction: MediaDirection, codecs: [Codec], extmaps: [ExtMap] = [],
                outgoing: OutgoingStream? = nil, rtcpReducedSize: Bool = true) {
        self.mid = mid
        self.kind = kind
        self.direction = direction
        self.codecs = codecs
        self.extmaps = extmaps
        self.outgoing = outgoing
        self.rtcpReducedSize = rtcpReducedSize
    }
}

/// Builds an offer with every section bundled (RFC 8843 §7.2), `rtcp-mux` (RFC 5761),
/// our ICE/DTLS parameters (setup as given in `local`, normally `actpass` per RFC 5763 §5),
/// and our candidates plus `end-of-candidates` on the first section.
///
/// With `includeDataChannel`, a data channel section (`UDP/DTLS/SCTP webrtc-datachannel`,
/// RFC 8841) comes first, with mid `dataChannelMid` or, when nil, the smallest
/// non-negative integer not used by `sections`.
public func makeOffer(
    sections: [OfferSection],
    includeDataChannel: Bool,
    local: LocalTransportParameters,
    sessionId: UInt64,
    version: UInt64,
    dataChannelMid: String? = nil
) -> SessionDescription {
    var offer = SessionDescription.localSkeleton(sessionId: sessionId, version: version, iceLite: local.iceLite)
    if includeDataChannel {
        let usedMids = Set(sections.map(\.mid))
        let mid = dataChannelMid ?? (0...).lazy.map(String.init).first(where: { !usedMids.contains($0) })!
        var section = MediaDescription(kind: "application", port: 9, proto: "UDP/DTLS/SCTP",
                                       formats: ["webrtc-datachannel"])
        section.mid = mid
        section.sctpPort = DataChannelDefaults.sctpPort
        section.maxMessageSize = DataChannelDefaults.maxMessageSize
        section.applyTransport(local, setup: local.setup)
        offer.media.append(section)
    }
    for item in sections {
        var section = MediaDescription(kind: item.kind, port: 9, proto: "UDP/TLS/RTP/SAVPF",
                                       formats: item.codecs.map { String($0.payloadType) })
        section.mid = item.mid
        section.direction = item.direction
        section.codecs = item.codecs
        section.extmaps = item.extmaps
        section.rtcpMux = true
        section.rtcpReducedSize = item.rtcpReducedSize
        if item.direction.sends, let stream = item.outgoing { section.applyOutgoing(stream) }
        section.applyTransport(local, setup: local.setup)
        offer.media.append(section)
    }
    if !offer.media.isEmpty {
        offer.groups = [Group(semantics: "BUNDLE", mids: offer.media.compactMap(\.mid))]
        offer.media[0].candidates = local.candidates
        offer.media[0].endOfCandidates = true
    }
    return offer
}
