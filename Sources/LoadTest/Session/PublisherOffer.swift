import SDP

/// The publisher peer connection's offer, shaped like a libwebrtc SDK's (compare
/// Tests/SDPTests/Fixtures/chrome_simulcast_offer.sdp): a sendonly Opus section with its SSRC
/// announced (RFC 5576), a sendonly VP8 section with three RIDs and `a=simulcast:send q;h;f`
/// (RFC 8851, RFC 8853) whose SSRCs are learned from the RID header extension, msid track
/// id = the AddTrackRequest cid (PROTOCOL.md §4), `a=setup:actpass`, bundled.
enum PublisherOffer {
    struct AudioSource {
        var cid: String
        var ssrc: UInt32
    }

    struct VideoSource {
        var cid: String
        var rids: [String]
    }

    /// Header extension ids we offer; the server answers with the same ids (RFC 8285 §7).
    static let audioLevelID: UInt8 = 1
    static let midID: UInt8 = 4
    static let ridID: UInt8 = 10
    static let repairedRIDID: UInt8 = 11

    static let opus = Codec(payloadType: 111, name: "opus", clockRate: 48_000, channels: 2,
                            fmtp: "minptime=10;useinbandfec=1", feedback: [])
    static let vp8 = Codec(payloadType: 96, name: "VP8", clockRate: 90_000, channels: nil, fmtp: nil,
                           feedback: ["goog-remb", "ccm fir", "nack", "nack pli"])

    static func make(local: LocalTransportParameters, streamID: String, cname: String, audio: AudioSource?,
                     video: VideoSource?, sessionID: UInt64, version: UInt64) -> String {
        var sections: [OfferSection] = []
        if let audio {
            sections.append(OfferSection(
                mid: String(sections.count), kind: "audio", direction: .sendonly, codecs: [opus],
                extmaps: [ExtMap(id: audioLevelID, uri: RTPHeaderExtensionURI.audioLevel),
                          ExtMap(id: midID, uri: RTPHeaderExtensionURI.mid)],
                outgoing: OutgoingStream(ssrc: audio.ssrc, cname: cname, streamId: streamID, trackId: audio.cid)))
        }
        let videoMid = String(sections.count)
        if video != nil {
            sections.append(OfferSection(
                mid: videoMid, kind: "video", direction: .sendonly, codecs: [vp8],
                extmaps: [ExtMap(id: midID, uri: RTPHeaderExtensionURI.mid),
                          ExtMap(id: ridID, uri: RTPHeaderExtensionURI.rtpStreamId),
                          ExtMap(id: repairedRIDID, uri: RTPHeaderExtensionURI.repairedRtpStreamId)]))
        }
        var offer = makeOffer(sections: sections, includeDataChannel: false, local: local, sessionId: sessionID,
                              version: version)
        if let video, let index = offer.media.firstIndex(where: { $0.mid == videoMid }) {
            offer.media[index].msid = MSID(streamId: streamID, trackId: video.cid)
            offer.media[index].rids = video.rids.map { RID(id: $0, direction: "send") }
            offer.media[index].simulcast = SimulcastDescription(send: video.rids.map { [$0] }).sdpValue
        }
        return offer.serialize()
    }

    /// What the server's answer settled for one of our sections.
    struct Accepted: Equatable {
        var mid: String
        var kind: String
        var payloadType: UInt8
        var midExtensionID: UInt8?
        var ridExtensionID: UInt8?
        var audioLevelExtensionID: UInt8?
    }

    /// Reads the answer: its transport and, per accepted section, the codec and extension ids.
    static func read(answer text: String) throws -> (remote: RemoteTransportDescription, accepted: [Accepted]) {
        let answer = try SessionDescription.parse(text)
        let remote = try RemoteTransportDescription(answer)
        var accepted: [Accepted] = []
        for media in answer.media where !media.isRejected && media.direction.receives {
            guard let mid = media.mid, let codec = media.codecs.first(where: { !$0.isRTX }) else { continue }
            func id(_ uri: String) -> UInt8? { media.extmaps.first { $0.uri == uri }?.id }
            accepted.append(Accepted(mid: mid, kind: media.kind, payloadType: codec.payloadType,
                                     midExtensionID: id(RTPHeaderExtensionURI.mid),
                                     ridExtensionID: id(RTPHeaderExtensionURI.rtpStreamId),
                                     audioLevelExtensionID: id(RTPHeaderExtensionURI.audioLevel)))
        }
        return (remote, accepted)
    }
}
