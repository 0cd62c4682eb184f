import SDP

/// A track the server offers on the subscriber peer connection (LiveKit msid `PA_…|TR_…`).
struct OfferedDownTrack: Equatable {
    var mid: String
    /// `audio` or `video`.
    var kind: String
    var ssrc: UInt32
    var trackSID: String
    var clockRate: UInt32
}

/// Our answer to the server's subscriber offer, as a browser writes it (RFC 8829 §5.3):
/// every sendonly section answered recvonly with the offered codecs, the data channel section
/// accepted, `a=setup:active` so we are the DTLS client (RFC 5763 §5), everything bundled.
enum SubscriberAnswer {
    struct Result {
        var sdp: String
        var remote: RemoteTransportDescription
        /// The tracks this offer carries (sections with a stream, direction sendonly).
        var tracks: [OfferedDownTrack]
    }

    static let preferences: CodecPreferences = {
        var preferences = CodecPreferences.default
        preferences.keepVideoRTX = true
        return preferences
    }()

    static func make(offer text: String, local: LocalTransportParameters, sessionID: UInt64,
                     version: UInt64) throws -> Result {
        let offer = try SessionDescription.parse(text)
        let remote = try RemoteTransportDescription(offer)
        let (answer, negotiated) = try makeAnswer(offer: offer, local: local, preferences: preferences, sessionId: sessionID,
                                                  sessionVersion: version) { _, media in
            MediaAnswerChoice(direction: media.kind == "application" ? .sendrecv : .recvonly)
        }
        var tracks: [OfferedDownTrack] = []
        for (index, media) in negotiated.enumerated() {
            guard let media, media.kind == "audio" || media.kind == "video", media.direction == .recvonly,
                  let ssrc = offer.media[index].primarySSRC, let codec = media.primaryCodec else { continue }
            let trackSID = media.remoteMSID?.trackId ?? ""
            tracks.append(OfferedDownTrack(mid: media.mid, kind: media.kind, ssrc: ssrc, trackSID: trackSID,
                                           clockRate: codec.clockRate))
        }
        return Result(sdp: answer.serialize(), remote: remote, tracks: tracks)
    }
}
