import SDP
import XCTest
@testable import LoadTest

/// The SDP a simulated participant writes and reads, against descriptions built with the
/// same SDP module the server uses.
final class SessionDescriptionTests: XCTestCase {
    let serverTransport = LocalTransportParameters(
        iceUfrag: "srvUfrag", icePwd: "serverpasswordserverpassword",
        fingerprint: Fingerprint(algorithm: "sha-256", value: "AA:BB:CC"), setup: .actpass,
        candidates: ["1 1 udp 2130706431 127.0.0.1 7882 typ host"], iceLite: true)
    let clientTransport = LocalTransportParameters(
        iceUfrag: "cliUfrag", icePwd: "clientpasswordclientpassword",
        fingerprint: Fingerprint(algorithm: "sha-256", value: "11:22:33"), setup: .active,
        candidates: ["1 1 udp 1 127.0.0.1 40000 typ host"], iceLite: false)

    /// A subscriber offer shaped like the server's: data channel first, then a sendonly Opus
    /// section with msid `PA_…|TR_… TR_…`, and a stopped (port 0) section.
    private func serverOffer() -> String {
        let opus = Codec(payloadType: 111, name: "opus", clockRate: 48_000, channels: 2, fmtp: "minptime=10;useinbandfec=1")
        let audio = OfferSection(mid: "1", kind: "audio", direction: .sendonly, codecs: [opus],
                                 extmaps: [ExtMap(id: 1, uri: RTPHeaderExtensionURI.mid)],
                                 outgoing: OutgoingStream(ssrc: 1234, cname: "sfu", streamId: "PA_caller|TR_mic", trackId: "TR_mic"))
        let vp8 = Codec(payloadType: 96, name: "VP8", clockRate: 90_000, feedback: ["nack", "nack pli"])
        let video = OfferSection(mid: "2", kind: "video", direction: .sendonly, codecs: [vp8],
                                 outgoing: OutgoingStream(ssrc: 5678, cname: "sfu", streamId: "PA_caller|TR_cam", trackId: "TR_cam"))
        var offer = makeOffer(sections: [audio, video], includeDataChannel: true, local: serverTransport, sessionId: 1, version: 3,
                              dataChannelMid: "0")
        offer.media[2].port = 0  // the camera was unsubscribed
        offer.groups = [Group(semantics: "BUNDLE", mids: ["0", "1"])]
        return offer.serialize()
    }

    func testSubscriberAnswer() throws {
        let result = try SubscriberAnswer.make(offer: serverOffer(), local: clientTransport, sessionID: 9, version: 2)
        XCTAssertEqual(result.remote, try RemoteTransportDescription(SessionDescription.parse(serverOffer())))
        XCTAssertEqual(result.remote.ufrag, "srvUfrag")
        XCTAssertEqual(result.remote.candidateHost, "127.0.0.1")
        XCTAssertEqual(result.remote.candidatePort, 7882)
        XCTAssertEqual(result.tracks, [OfferedDownTrack(mid: "1", kind: "audio", ssrc: 1234, trackSID: "TR_mic", clockRate: 48_000)])
        let answer = try SessionDescription.parse(result.sdp)
        XCTAssertEqual(answer.media.count, 3)
        XCTAssertFalse(answer.iceLite)
        XCTAssertEqual(answer.bundleMids, ["0", "1"])
        XCTAssertEqual(answer.media[0].kind, "application")
        XCTAssertEqual(answer.media[0].setup, .active)  // we are the DTLS client (RFC 5763 §5)
        XCTAssertEqual(answer.media[1].direction, .recvonly)
        XCTAssertEqual(answer.media[1].codecs.map(\.name), ["opus"])
        XCTAssertEqual(answer.media[1].iceUfrag, "cliUfrag")
        XCTAssertEqual(answer.media[2].port, 0)
        XCTAssertEqual(answer.media[2].mid, "2")
    }

    func testServerCandidateMustBeLoopback() throws {
        var transport = serverTransport
        transport.candidates = ["1 1 udp 2130706431 192.0.2.7 7882 typ host"]
        let offer = makeOffer(sections: [], includeDataChannel: true, local: transport, sessionId: 1, version: 2)
        XCTAssertThrowsError(try RemoteTransportDescription(offer)) { error in
            XCTAssertEqual(error as? RemoteTransportDescription.Failure, .candidateNotLoopback("192.0.2.7"))
        }
    }

    /// The publisher offer, answered the way the server answers it (SDP.makeAnswer, recvonly,
    /// the extensions it reads), then read back.
    func testPublisherOfferAndAnswer() throws {
        var local = clientTransport
        local.setup = .actpass
        let text = PublisherOffer.make(local: local, streamID: "stream", cname: "lt", audio: .init(cid: "mic-cid", ssrc: 4242),
                                       video: .init(cid: "cam-cid", rids: ["q", "h", "f"]), sessionID: 5, version: 2)
        let offer = try SessionDescription.parse(text)
        XCTAssertEqual(offer.bundleMids, ["0", "1"])
        let audio = offer.media[0]
        XCTAssertEqual(audio.direction, .sendonly)
        XCTAssertEqual(audio.msid, MSID(streamId: "stream", trackId: "mic-cid"))
        XCTAssertEqual(audio.primarySSRC, 4242)
        XCTAssertEqual(audio.setup, .actpass)
        let video = offer.media[1]
        XCTAssertEqual(video.msid?.trackId, "cam-cid")
        XCTAssertEqual(video.rids.map(\.id), ["q", "h", "f"])
        XCTAssertTrue(video.rids.allSatisfy { $0.direction == "send" })
        XCTAssertEqual(video.simulcastDescription, SimulcastDescription(send: [["q"], ["h"], ["f"]]))
        XCTAssertTrue(video.ssrcs.isEmpty)  // simulcast SSRCs come from the RID extension
        XCTAssertEqual(video.extmaps.map(\.uri), [RTPHeaderExtensionURI.mid, RTPHeaderExtensionURI.rtpStreamId,
                                                  RTPHeaderExtensionURI.repairedRtpStreamId])

        var preferences = CodecPreferences.default
        preferences.extensionURIs = [RTPHeaderExtensionURI.mid, RTPHeaderExtensionURI.audioLevel, RTPHeaderExtensionURI.rtpStreamId]
        let (answer, _) = try makeAnswer(offer: offer, local: serverTransport, preferences: preferences) { _, _ in
            MediaAnswerChoice(direction: .recvonly)
        }
        let (remote, accepted) = try PublisherOffer.read(answer: answer.serialize())
        XCTAssertEqual(remote.candidatePort, 7882)
        XCTAssertEqual(accepted, [
            PublisherOffer.Accepted(mid: "0", kind: "audio", payloadType: 111, midExtensionID: 4, ridExtensionID: nil,
                                    audioLevelExtensionID: 1),
            PublisherOffer.Accepted(mid: "1", kind: "video", payloadType: 96, midExtensionID: 4, ridExtensionID: 10,
                                    audioLevelExtensionID: nil),
        ])
        XCTAssertEqual(answer.media[1].rids.map(\.direction), ["recv", "recv", "recv"])
    }
}
