import SDP

/// A single peer connection (LiveKit `/rtc/v1`): the client offers every time, so what we send
/// rides on the client's receive-only m-lines. A subscription waits (`pendingSends`) until we
/// answer an offer that has a free receive-only section of its kind; the section then carries
/// it, sendonly with its msid, for as long as the subscription lasts. A section whose
/// subscription ended is answered inactive from then on (its msid is never reused, so no
/// receiver sees one track turn into another). When sections run short the owner asks the
/// client for more (LiveKit's `MediaSectionsRequirement`).
extension PeerConnection {
    /// Switches this connection to answer-side sending; call before the first offer.
    public func sendInAnswers() {
        negotiation.sendsInAnswers = true
    }

    public var sendsInAnswers: Bool { negotiation.sendsInAnswers }

    /// Subscriptions the client has no free section for yet, by kind: how many receive-only
    /// sections to ask it for.
    public var missingReceiveSections: (audio: Int, video: Int) {
        func missing(_ kind: MediaKind) -> Int {
            max(0, negotiation.pendingSends.filter { $0.kind == kind }.count - (negotiation.freeReceiveSections[kind] ?? 0))
        }
        return (missing(.audio), missing(.video))
    }

    /// Whether subscriptions wait for a client offer (free sections exist, or more are needed).
    public var hasPendingSends: Bool { !negotiation.pendingSends.isEmpty }

    /// m-line → track id of what we send (LiveKit `SessionDescription.mid_to_track_id`).
    public var sentTrackIDsByMid: [String: String] {
        var map: [String: String] = [:]
        for section in negotiation.sendSections where section.downTrack != nil {
            if let stream = section.stream { map[section.mid] = stream.trackId }
        }
        return map
    }

    /// Our answer to one of the client's receive-only sections.
    func sendSectionChoice(mid: String, kind: MediaKind) -> MediaAnswerChoice {
        if let section = negotiation.sendSections.first(where: { $0.mid == mid }) {
            guard section.downTrack != nil, let stream = section.stream else { return MediaAnswerChoice(direction: .inactive) }
            return MediaAnswerChoice(direction: .sendonly, outgoing: stream, preferences: Self.preferences(for: section))
        }
        guard let index = negotiation.pendingSends.firstIndex(where: { $0.kind == kind }) else {
            negotiation.freeReceiveSections[kind, default: 0] += 1
            return MediaAnswerChoice(direction: .inactive)
        }
        let section = negotiation.pendingSends.remove(at: index)
        section.mid = mid
        section.downTrack?.bind(mid: mid)
        negotiation.sendSections.append(section)
        return MediaAnswerChoice(direction: .sendonly, outgoing: section.stream, preferences: Self.preferences(for: section))
    }

    /// The answer settled a section we send on: the down track takes its payload types and
    /// extension ids (once: a later identical answer must not restart the stream).
    func applyAnsweredSend(_ negotiated: NegotiatedMedia, formats: [PayloadFormat], now: Double) {
        guard let section = negotiation.sendSections.first(where: { $0.mid == negotiated.mid }),
              let downTrack = section.downTrack, !section.isNegotiated else { return }
        section.isNegotiated = true
        let extensionID = { (uri: String) in negotiated.extmaps.first { $0.uri == uri }?.id }
        downTrack.setNegotiated(formats: formats, midExtensionID: extensionID(ExtensionURI.mid),
                                audioLevelExtensionID: extensionID(ExtensionURI.audioLevel),
                                absSendTimeExtensionID: extensionID(ExtensionURI.absSendTime), now: now)
    }

    /// Only the subscribed track's codec and the feedback we act on. The header extensions are
    /// those we accept on the client's sending sections too, plus abs-send-time: libwebrtc
    /// builds the extensions of the sections it adds later from the ones already negotiated in
    /// the bundle, so a sending section answered without rid / repaired-rid makes its next
    /// simulcast offer fail ("negotiates simulcast but does not negotiate the RID RTP header
    /// extension"). We write only mid, audio level and abs-send-time; the rest stay unused.
    static func preferences(for section: SendSection) -> CodecPreferences {
        let names = section.offeredCodecs.map(\.name)
        let video = section.kind == .video
        var preferences = CodecPreferences(
            audioCodecNames: video ? [] : names, videoCodecNames: video ? names : [],
            extensionURIs: receivePreferences.extensionURIs.union([ExtensionURI.absSendTime]),
            feedback: video ? ["nack", "nack pli", "ccm fir", "goog-remb"] : [], keepVideoRTX: false)
        // Every answer for this section must negotiate the same format: the client's offers
        // after its first add x-google-start-bitrate once it publishes.
        preferences.dropsSenderHints = true
        return preferences
    }
}
