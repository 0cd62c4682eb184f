import XCTest
@testable import SDP

final class OfferTests: XCTestCase {
    func testSubscriberOfferWithDataChannel() throws {
        let local = LocalTransportParameters(
            iceUfrag: "srvU", icePwd: "serverpassword0123456789",
            fingerprint: Fingerprint(algorithm: "sha-256", value: "AA:BB:CC"), setup: .actpass,
            candidates: ["1 1 udp 2130706431 192.0.2.10 7882 typ host"], iceLite: true)
        let opus = Codec(payloadType: 111, name: "opus", clockRate: 48000, channels: 2,
                         fmtp: "minptime=10;useinbandfec=1", feedback: ["transport-cc"])
        let vp8 = Codec(payloadType: 96, name: "VP8", clockRate: 90000, feedback: ["nack", "nack pli", "ccm fir"])
        let rtx = Codec(payloadType: 97, name: "rtx", clockRate: 90000, fmtp: "apt=96")
        let sections = [
            OfferSection(mid: "1", kind: "audio", direction: .sendonly, codecs: [opus],
                         extmaps: [ExtMap(id: 1, uri: RTPHeaderExtensionURI.audioLevel)],
                         outgoing: OutgoingStream(ssrc: 1001, cname: "sfu", streamId: "PA_x", trackId: "TR_a")),
            OfferSection(mid: "2", kind: "video", direction: .sendonly, codecs: [vp8, rtx],
                         outgoing: OutgoingStream(ssrc: 2002, cname: "sfu", streamId: "PA_x", trackId: "TR_v", rtxSSRC: 2003)),
        ]
        let offer = makeOffer(sections: sections, includeDataChannel: true, local: local,
                              sessionId: 123456789, version: 3)
        XCTAssertEqual(offer.sessionId, "123456789")
        XCTAssertEqual(offer.sessionVersion, "3")
        XCTAssertTrue(offer.iceLite)
        XCTAssertEqual(offer.media.map(\.mid), ["0", "1", "2"])
        XCTAssertEqual(offer.bundleMids, ["0", "1", "2"])
        XCTAssertEqual(offer.media[0].kind, "application")
        XCTAssertEqual(offer.media[0].sctpPort, 5000)
        XCTAssertEqual(offer.media[0].candidates.count, 1)
        XCTAssertTrue(offer.media[0].endOfCandidates)
        for media in offer.media {
            XCTAssertEqual(media.setup, .actpass)
            XCTAssertEqual(media.iceUfrag, "srvU")
        }
        let video = offer.media[2]
        XCTAssertEqual(video.formats, ["96", "97"])
        XCTAssertTrue(video.rtcpMux)
        XCTAssertEqual(video.ssrcGroups, [SSRCGroup(semantics: "FID", ssrcs: [2002, 2003])])
        XCTAssertEqual(video.msid, MSID(streamId: "PA_x", trackId: "TR_v"))

        let text = offer.serialize()
        XCTAssertTrue(text.hasPrefix("v=0\r\no=- 123456789 3 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"))
        XCTAssertTrue(text.contains("a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"))
        let reparsed = try SessionDescription.parse(text)
        XCTAssertEqual(reparsed, offer)

        // A client answering our offer: we can read back what it accepted.
        let clientAnswer = try Fixture.parsed("v0_06_client_answer")
        XCTAssertEqual(clientAnswer.media[1].codecs.first?.name, "opus")
    }

    func testDataChannelMidAvoidsCollisionAndEmptyOffer() {
        let local = LocalTransportParameters(iceUfrag: "u", icePwd: "p", fingerprint: Fingerprint(algorithm: "sha-256", value: "AA"), setup: .actpass)
        let section = OfferSection(mid: "0", kind: "audio", direction: .sendonly,
                                   codecs: [Codec(payloadType: 111, name: "opus", clockRate: 48000, channels: 2)])
        let offer = makeOffer(sections: [section], includeDataChannel: true, local: local, sessionId: 1, version: 1)
        XCTAssertEqual(offer.media.map(\.mid), ["1", "0"])
        let empty = makeOffer(sections: [], includeDataChannel: false, local: local, sessionId: 1, version: 1)
        XCTAssertTrue(empty.media.isEmpty)
        XCTAssertTrue(empty.groups.isEmpty)
    }

    func testOfferAnswerLoop() throws {
        // Our offer, answered by our own answerer (as a stand-in peer): the codecs must survive.
        let local = LocalTransportParameters(iceUfrag: "u", icePwd: "p", fingerprint: Fingerprint(algorithm: "sha-256", value: "AA"), setup: .actpass)
        let vp8 = Codec(payloadType: 96, name: "VP8", clockRate: 90000, feedback: ["nack"])
        let offer = makeOffer(sections: [OfferSection(mid: "v", kind: "video", direction: .sendonly, codecs: [vp8])],
                              includeDataChannel: false, local: local, sessionId: 9, version: 1)
        let (answer, negotiated) = try makeAnswer(offer: try SessionDescription.parse(offer.serialize()), local: local) { _, _ in
            MediaAnswerChoice(direction: .recvonly)
        }
        XCTAssertEqual(answer.media[0].direction, .recvonly)
        XCTAssertEqual(answer.media[0].setup, .passive)
        XCTAssertEqual(negotiated[0]?.codecs, [vp8])
    }
}
