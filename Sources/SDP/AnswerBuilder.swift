/// Builds our answer to a remote offer (RFC 8829 §5.3 in spirit, RFC 3264 §6).
///
/// One m-line per offered m-line, same mid and order. Rejected or unsupported sections get port 0.
/// Accepted sections are bundled (RFC 8843), carry `rtcp-mux` (RFC 5761) and `rtcp-rsize`
/// (RFC 5506) when offered, our ICE/DTLS parameters, the chosen codecs and extensions, rid/simulcast
/// `recv` lines mirroring a simulcast send offer (RFC 8853), and our stream's msid/ssrc lines when
/// we send. Candidates and `end-of-candidates` go on the first bundled section. A data channel
/// section is answered with `sctp-port:5000` and `max-message-size:262144` (RFC 8841).
///
/// `choose` is called once per offered section that is not already rejected, with its index.
/// `sessionId` defaults to a random id; on renegotiation pass the previous answer's id and a
/// higher `sessionVersion` (RFC 3264 §8).
public func makeAnswer(
    offer: SessionDescription,
    local: LocalTransportParameters,
    preferences: CodecPreferences = .default,
    sessionId: UInt64? = nil,
    sessionVersion: UInt64 = 2,
    choose: (Int, MediaDescription) -> MediaAnswerChoice
) throws(SDPAnswerError) -> (answer: SessionDescription, negotiated: [NegotiatedMedia?]) {
    var answer = SessionDescription.localSkeleton(
        sessionId: sessionId ?? SessionDescription.randomSessionId(), version: sessionVersion,
        iceLite: local.iceLite)
    if offer.hasAttribute("extmap-allow-mixed") {
        answer.otherAttributes.append(Attribute(name: "extmap-allow-mixed"))
    }
    let offeredBundle = offer.bundleMids
    var negotiated: [NegotiatedMedia?] = []
    var acceptedMids: [String] = []

    for (index, offered) in offer.media.enumerated() {
        guard !offered.isRejected else {
            answer.media.append(.rejected(from: offered))
            negotiated.append(nil)
            continue
        }
        let choice = choose(index, offered)
        if choice.reject {
            answer.media.append(.rejected(from: offered))
            negotiated.append(nil)
            continue
        }
        guard let mid = offered.mid else { throw .missingMid(index: index) }
        if !offeredBundle.isEmpty && !offeredBundle.contains(mid) {
            // Sections outside the offered BUNDLE group would need their own transport.
            answer.media.append(.rejected(from: offered))
            negotiated.append(nil)
            continue
        }
        guard offer.iceCredentials(for: offered) != nil else { throw .missingICECredentials }
        guard offer.fingerprint(for: offered) != nil else { throw .missingFingerprint }
        let setup = DTLSSetup.answer(to: offer.setup(for: offered), preferring: local.setup)

        let result: (MediaDescription, NegotiatedMedia)?
        switch offered.kind {
        case "audio", "video":
            result = answerRTPSection(offered, mid: mid, choice: choice, preferences: choice.preferences ?? preferences)
        case "application":
            result = answerDataChannelSection(offered, mid: mid)
        default:
            result = nil
        }
        guard let (accepted, media) = result else {
            answer.media.append(.rejected(from: offered))
            negotiated.append(nil)
            continue
        }
        var section = accepted
        section.applyTransport(local, setup: setup)
        answer.media.append(section)
        negotiated.append(media)
        acceptedMids.append(mid)
    }

    if offeredBundle.isEmpty {
        if acceptedMids.count > 1 { throw .noBundle }
    } else if !acceptedMids.isEmpty {
        // RFC 8843 §7.3.1: keep the offerer's order of mids in the answer's group.
        let bundled = offeredBundle.filter { acceptedMids.contains($0) }
        answer.groups.append(Group(semantics: "BUNDLE", mids: bundled))
    }
    // Our candidates go on the first bundled section: the BUNDLE-tagged one (RFC 8843 §7.3.1).
    let firstMid = answer.bundleMids.first ?? acceptedMids.first
    if let firstMid, let index = answer.media.firstIndex(where: { $0.mid == firstMid && $0.port != 0 }) {
        answer.media[index].candidates = local.candidates
        answer.media[index].endOfCandidates = true
    }
    return (answer, negotiated)
}

/// Answers an audio or video section; nil when no codec is acceptable.
private func answerRTPSection(
    _ offered: MediaDescription, mid: String, choice: MediaAnswerChoice, preferences: CodecPreferences
) -> (MediaDescription, NegotiatedMedia)? {
    guard let codecs = try? preferences.select(for: offered) else { return nil }
    let direction = choice.direction.answering(offered.direction)
    var section = MediaDescription(kind: offered.kind, port: 9, proto: offered.proto,
                                   formats: codecs.map { String($0.payloadType) })
    section.mid = mid
    section.direction = direction
    section.codecs = codecs
    section.extmaps = preferences.selectExtensions(for: offered)
    section.rtcpMux = offered.rtcpMux
    section.rtcpReducedSize = offered.rtcpReducedSize

    // RFC 8853 §5.3 / RFC 8851 §7: mirror the peer's send rids as recv rids.
    let sendRIDs = offered.rids.filter { $0.direction == "send" }
    if direction.receives && !sendRIDs.isEmpty {
        section.rids = sendRIDs.map { RID(id: $0.id, direction: "recv") }
        if let simulcast = offered.simulcastDescription, !simulcast.send.isEmpty {
            section.simulcast = SimulcastDescription(recv: simulcast.send).sdpValue
        }
    }
    var outgoing: OutgoingStream?
    if direction.sends, let stream = choice.outgoing {
        section.applyOutgoing(stream)
        outgoing = stream
    }
    let media = NegotiatedMedia(
        mid: mid, kind: offered.kind, direction: direction, codecs: codecs, extmaps: section.extmaps,
        rids: section.rids.isEmpty ? [] : sendRIDs, remoteSSRCs: offered.distinctSSRCs,
        remoteSSRCGroups: offered.ssrcGroups, remoteMSID: offered.msid ?? msidFromSSRC(offered),
        outgoing: outgoing, rtcpReducedSize: offered.rtcpReducedSize)
    return (section, media)
}

/// Older endpoints carry msid only in `a=ssrc:<ssrc> msid:<stream> <track>`.
private func msidFromSSRC(_ media: MediaDescription) -> MSID? {
    guard let ssrc = media.primarySSRC, let value = media.ssrcAttribute(ssrc, "msid") else { return nil }
    return MSID.parse(value)
}

/// Answers a WebRTC data channel section (RFC 8841 §5-6); nil for other application sections.
private func answerDataChannelSection(_ offered: MediaDescription, mid: String) -> (MediaDescription, NegotiatedMedia)? {
    guard offered.proto.uppercased().hasSuffix("DTLS/SCTP"), offered.formats.contains("webrtc-datachannel") else {
        return nil
    }
    var section = MediaDescription(kind: "application", port: 9, proto: offered.proto, formats: ["webrtc-datachannel"])
    section.mid = mid
    section.sctpPort = DataChannelDefaults.sctpPort
    section.maxMessageSize = DataChannelDefaults.maxMessageSize
    let media = NegotiatedMedia(mid: mid, kind: "application", direction: .sendrecv,
                                remoteSCTPPort: offered.sctpPort ?? DataChannelDefaults.sctpPort,
                                remoteMaxMessageSize: offered.maxMessageSize)
    return (section, media)
}

/// The SCTP parameters we announce for data channels (RFC 8841).
public enum DataChannelDefaults {
    public static let sctpPort = 5000
    public static let maxMessageSize = 262_144
}
