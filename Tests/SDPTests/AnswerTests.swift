import XCTest
@testable import SDP

final class AnswerTests: XCTestCase {
    let local = LocalTransportParameters(
        iceUfrag: "srvU", icePwd: "serverpassword0123456789",
        fingerprint: Fingerprint(algorithm: "sha-256", bytes: Array(0..<32)),
        setup: .passive,
        candidates: ["1 1 udp 2130706431 192.0.2.10 7882 typ host", "2 1 tcp 1671430143 192.0.2.10 7881 typ host tcptype passive"],
        iceLite: true)

    private func answer(_ fixture: String, _ choose: (Int, MediaDescription) -> MediaAnswerChoice)
        throws -> (SessionDescription, [NegotiatedMedia?]) {
        let offer = try Fixture.parsed(fixture)
        let (answer, negotiated) = try makeAnswer(offer: offer, local: local, choose: choose)
        // The answer must itself be valid SDP that parses back to the same value.
        XCTAssertEqual(try SessionDescription.parse(answer.serialize()), answer)
        XCTAssertEqual(answer.media.count, offer.media.count)
        XCTAssertEqual(answer.media.map(\.mid), offer.media.map(\.mid))
        XCTAssertEqual(negotiated.count, offer.media.count)
        return (answer, negotiated)
    }

    func testWHIPAnswerToAiortcOfferIsRecvonly() throws {
        let (answer, negotiated) = try answer("aiortc_offer") { _, _ in MediaAnswerChoice(direction: .recvonly) }
        XCTAssertTrue(answer.iceLite)
        XCTAssertTrue(answer.serialize().contains("a=ice-lite\r\n"))
        XCTAssertEqual(answer.bundleMids, ["0", "1"])
        for media in answer.media {
            XCTAssertEqual(media.port, 9)
            XCTAssertEqual(media.direction, .recvonly)
            XCTAssertEqual(media.iceUfrag, "srvU")
            XCTAssertEqual(media.icePwd, "serverpassword0123456789")
            XCTAssertEqual(media.fingerprint?.value.prefix(8), "00:01:02")
            XCTAssertEqual(media.setup, .passive)
            XCTAssertTrue(media.rtcpMux)
            XCTAssertFalse(media.rtcpReducedSize)  // aiortc does not offer rtcp-rsize
            XCTAssertNil(media.msid)
            XCTAssertTrue(media.ssrcs.isEmpty)
        }
        // Candidates only on the first bundled section.
        XCTAssertEqual(answer.media[0].candidates, local.candidates)
        XCTAssertTrue(answer.media[0].endOfCandidates)
        XCTAssertTrue(answer.media[1].candidates.isEmpty)
        XCTAssertFalse(answer.media[1].endOfCandidates)

        XCTAssertEqual(answer.media[0].codecs.map(\.name), ["opus"])
        XCTAssertEqual(answer.media[0].formats, ["96"])
        XCTAssertEqual(answer.media[0].extmaps.map(\.uri), [RTPHeaderExtensionURI.mid, RTPHeaderExtensionURI.audioLevel])

        // Video: VP8 then the 42e01f H.264, then their RTX formats with the offer's payload types.
        XCTAssertEqual(answer.media[1].formats, ["97", "101", "98", "102"])
        let video = try XCTUnwrap(negotiated[1])
        XCTAssertEqual(video.direction, .recvonly)
        XCTAssertEqual(video.codecs.first?.name, "VP8")
        XCTAssertEqual(video.codecs[1].fmtpParameter("profile-level-id"), "42e01f")
        XCTAssertEqual(video.rtxPayloadType(for: 97), 98)
        XCTAssertEqual(video.rtxPayloadType(for: 101), 102)
        XCTAssertNil(video.rtxPayloadType(for: 99))
        XCTAssertEqual(video.codecs[0].feedback, ["nack", "nack pli", "goog-remb"])
        XCTAssertEqual(video.remoteSSRCs, [2712345678, 3187654321])
        XCTAssertEqual(video.remoteSSRCGroups.first?.semantics, "FID")
        XCTAssertEqual(video.remoteMSID?.trackId, "a4d8e2f1-3c6b-4a9e-9f07-1b5c8d2e6f55")
        XCTAssertEqual(video.extensionId(for: RTPHeaderExtensionURI.absSendTime), 3)
        XCTAssertEqual(negotiated[0]?.primaryCodec?.payloadType, 96)
        XCTAssertEqual(negotiated[0]?.remoteSSRCs, [1843557432])
    }

    func testWHEPAnswerIsSendonlyWithOurSSRCs() throws {
        let streams = [
            OutgoingStream(ssrc: 11111111, cname: "sfu", streamId: "stream", trackId: "audio-track"),
            OutgoingStream(ssrc: 22222222, cname: "sfu", streamId: "stream", trackId: "video-track", rtxSSRC: 33333333),
        ]
        let (answer, negotiated) = try answer("aiortc_offer") { index, _ in
            MediaAnswerChoice(direction: .sendonly, outgoing: streams[index])
        }
        let audio = answer.media[0]
        XCTAssertEqual(audio.direction, .sendonly)
        XCTAssertEqual(audio.msid, MSID(streamId: "stream", trackId: "audio-track"))
        XCTAssertEqual(audio.ssrcs, [SSRCAttribute(ssrc: 11111111, name: "cname", value: "sfu"),
                                     SSRCAttribute(ssrc: 11111111, name: "msid", value: "stream audio-track")])
        let video = answer.media[1]
        XCTAssertEqual(video.ssrcGroups, [SSRCGroup(semantics: "FID", ssrcs: [22222222, 33333333])])
        XCTAssertEqual(video.primarySSRC, 22222222)
        XCTAssertEqual(video.distinctSSRCs, [22222222, 33333333])
        XCTAssertEqual(negotiated[1]?.outgoing, streams[1])
        XCTAssertEqual(negotiated[1]?.direction, .sendonly)
        let text = answer.serialize()
        XCTAssertTrue(text.contains("a=ssrc:22222222 cname:sfu\r\n"))
        XCTAssertTrue(text.contains("a=msid:stream video-track\r\n"))
        XCTAssertTrue(text.contains("a=sendonly\r\n"))
    }

    func testDirectionIsLimitedByOffer() throws {
        // LiveKit fixture offers recvonly sections (plus sendonly ones in v0_03): a sendrecv wish
        // must be cut down to what the offer allows.
        let (answer, negotiated) = try answer("v0_03_client_offer") { _, _ in MediaAnswerChoice(direction: .sendrecv) }
        XCTAssertEqual(answer.media[0].direction, .sendonly)   // offered recvonly
        XCTAssertEqual(answer.media(mid: "13")?.direction, .recvonly) // offered sendonly
        XCTAssertEqual(negotiated[6]?.remoteMSID, MSID(streamId: "-", trackId: "a7b1ab99-6101-4069-9594-10e00099f502"))
        // A sendonly wish against a sendonly offer leaves nothing: inactive.
        XCTAssertEqual(MediaDirection.sendonly.answering(.sendonly), .inactive)
        XCTAssertEqual(MediaDirection.recvonly.answering(.sendrecv), .recvonly)
        XCTAssertEqual(MediaDirection.sendrecv.answering(.inactive), .inactive)
    }

    func testSimulcastOfferGetsRidRecvAndSimulcastRecv() throws {
        let (answer, negotiated) = try answer("chrome_simulcast_offer") { _, _ in MediaAnswerChoice(direction: .recvonly) }
        let video = answer.media[1]
        XCTAssertEqual(video.rids, [RID(id: "q", direction: "recv"), RID(id: "h", direction: "recv"),
                                    RID(id: "f", direction: "recv")])
        XCTAssertEqual(video.simulcast, "recv q;h;f")
        XCTAssertTrue(video.rtcpReducedSize)
        XCTAssertTrue(answer.serialize().contains("a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\na=simulcast:recv q;h;f\r\n"))
        let media = try XCTUnwrap(negotiated[1])
        XCTAssertEqual(media.rids.map(\.id), ["q", "h", "f"])
        XCTAssertEqual(media.rids.first?.direction, "send")
        XCTAssertEqual(media.extensionId(for: RTPHeaderExtensionURI.rtpStreamId), 10)
        XCTAssertEqual(media.extensionId(for: RTPHeaderExtensionURI.repairedRtpStreamId), 11)
        XCTAssertNil(media.extensionId(for: "urn:ietf:params:rtp-hdrext:toffset"))
        // VP8, H264 42e01f (pt 127), VP9 profile 0 (pt 98), AV1, then RTX of each; no red/ulpfec.
        XCTAssertEqual(media.codecs.map(\.payloadType), [96, 127, 98, 45, 97, 121, 99, 46])
        XCTAssertEqual(media.codecs.first?.feedback, ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"])
        XCTAssertTrue(answer.hasAttribute("extmap-allow-mixed"))
        // Audio: opus only, RED and the rest dropped.
        XCTAssertEqual(answer.media[0].codecs.map(\.payloadType), [111])
    }

    func testLiveKitPublisherOfferWithDataChannel() throws {
        let (answer, negotiated) = try answer("v0_03_client_offer") { _, _ in MediaAnswerChoice(direction: .recvonly) }
        XCTAssertEqual(answer.bundleMids, ["7", "8", "9", "10", "11", "12", "13", "14", "15"])
        let data = try XCTUnwrap(answer.media(mid: "15"))
        XCTAssertEqual(data.kind, "application")
        XCTAssertEqual(data.proto, "UDP/DTLS/SCTP")
        XCTAssertEqual(data.formats, ["webrtc-datachannel"])
        XCTAssertEqual(data.sctpPort, 5000)
        XCTAssertEqual(data.maxMessageSize, 262144)
        XCTAssertEqual(data.setup, .passive)
        XCTAssertEqual(negotiated[8]?.kind, "application")
        XCTAssertEqual(negotiated[8]?.remoteSCTPPort, 5000)
        XCTAssertEqual(negotiated[8]?.remoteMaxMessageSize, 262144)
        let text = answer.serialize()
        XCTAssertTrue(text.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"))
        XCTAssertFalse(text.contains("a=sctp-init"))
        // Published VP8 simulcast track.
        let video = try XCTUnwrap(answer.media(mid: "14"))
        XCTAssertEqual(video.formats, ["96"])
        XCTAssertEqual(video.simulcast, "recv f;h;q")
        XCTAssertEqual(answer.media(mid: "7")?.candidates.count, 2)
        // H.264 in the recvonly video sections: 42e01f with packetization-mode=1 is pt 109.
        XCTAssertEqual(negotiated[3]?.codecs.map(\.payloadType), [96, 109, 98, 45, 97, 114, 99, 46])
    }

    func testEveryLiveKitOfferIsAnswerable() throws {
        for name in ["v0_01_client_offer", "v0_03_client_offer", "v1_publisher_offer"] {
            let (answer, negotiated) = try answer(name) { _, media in
                MediaAnswerChoice(direction: media.direction.reversed)
            }
            XCTAssertTrue(negotiated.allSatisfy { $0 != nil }, name)
            XCTAssertEqual(answer.bundleMids.count, answer.media.count, name)
        }
    }

    func testSectionWithoutCommonCodecIsRejectedWithPortZero() throws {
        var offer = try Fixture.parsed("aiortc_offer")
        offer.media[0].codecs = offer.media[0].codecs.filter { $0.name != "opus" }
        offer.media[0].formats = ["0", "8"]
        let (answer, negotiated) = try makeAnswer(offer: offer, local: local) { _, _ in MediaAnswerChoice(direction: .recvonly) }
        XCTAssertEqual(answer.media[0].port, 0)
        XCTAssertEqual(answer.media[0].mid, "0")
        XCTAssertNil(negotiated[0])
        XCTAssertNotNil(negotiated[1])
        XCTAssertEqual(answer.bundleMids, ["1"])
        // Candidates move to the first accepted, bundled section.
        XCTAssertEqual(answer.media[1].candidates, local.candidates)
        XCTAssertTrue(answer.serialize().contains("m=audio 0 UDP/TLS/RTP/SAVPF 0 8\r\n"))
        XCTAssertThrowsError(try CodecPreferences.default.select(for: offer.media[0])) { error in
            XCTAssertEqual(error as? SDPAnswerError, .noCommonCodec(mid: "0"))
        }
    }

    func testRejectedChoiceAndUnsupportedH264Mode() throws {
        let offerText = """
        v=0
        o=- 1 1 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=group:BUNDLE a v d
        a=ice-ufrag:u
        a=ice-pwd:p
        a=fingerprint:sha-256 AA:BB
        a=setup:active
        m=audio 9 UDP/TLS/RTP/SAVPF 111
        a=mid:a
        a=sendonly
        a=rtpmap:111 opus/48000/2
        m=video 9 UDP/TLS/RTP/SAVPF 100
        a=mid:v
        a=sendonly
        a=rtpmap:100 H264/90000
        a=fmtp:100 profile-level-id=42e01f
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel
        a=mid:d
        a=sctp-port:5000
        """
        let offer = try SessionDescription.parse(offerText)
        let (answer, negotiated) = try makeAnswer(offer: offer, local: local) { _, media in
            media.kind == "application" ? .rejected : MediaAnswerChoice(direction: .recvonly)
        }
        XCTAssertNotNil(negotiated[0])
        XCTAssertNil(negotiated[1], "H.264 without packetization-mode=1 is not accepted")
        XCTAssertNil(negotiated[2])
        XCTAssertEqual(answer.media.map(\.port), [9, 0, 0])
        XCTAssertEqual(answer.bundleMids, ["a"])
        // Offer setup active forces us passive; session-level credentials were accepted.
        XCTAssertEqual(answer.media[0].setup, .passive)
    }

    func testSetupNegotiation() {
        XCTAssertEqual(DTLSSetup.answer(to: .actpass, preferring: .passive), .passive)
        XCTAssertEqual(DTLSSetup.answer(to: .actpass, preferring: .active), .active)
        XCTAssertEqual(DTLSSetup.answer(to: .actpass, preferring: .actpass), .passive)
        XCTAssertEqual(DTLSSetup.answer(to: .active, preferring: .active), .passive)
        XCTAssertEqual(DTLSSetup.answer(to: .passive, preferring: .passive), .active)
        XCTAssertEqual(DTLSSetup.answer(to: nil, preferring: .passive), .passive)
    }

    func testAnswerErrors() throws {
        let base = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n"
        let audio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\na=rtpmap:111 opus/48000/2\n"
        let creds = "a=ice-ufrag:u\na=ice-pwd:p\na=fingerprint:sha-256 AA:BB\n"
        func check(_ text: String, _ expected: SDPAnswerError, line: UInt = #line) throws {
            let offer = try SessionDescription.parse(text)
            XCTAssertThrowsError(try makeAnswer(offer: offer, local: local) { _, _ in MediaAnswerChoice(direction: .recvonly) },
                                 line: line) { error in
                XCTAssertEqual(error as? SDPAnswerError, expected, line: line)
            }
        }
        try check(base + audio + creds, .missingMid(index: 0))
        try check(base + audio + "a=mid:0\na=fingerprint:sha-256 AA:BB\n", .missingICECredentials)
        try check(base + audio + "a=mid:0\na=ice-ufrag:u\na=ice-pwd:p\n", .missingFingerprint)
        try check(base + creds + audio + "a=mid:0\n" + audio + "a=mid:1\n", .noBundle)
        // A single section without BUNDLE is fine and gets no group line.
        let single = try SessionDescription.parse(base + creds + audio + "a=mid:0\n")
        let (answer, _) = try makeAnswer(offer: single, local: local, sessionId: 77, sessionVersion: 5) { _, _ in
            MediaAnswerChoice(direction: .recvonly)
        }
        XCTAssertTrue(answer.serialize().hasPrefix("v=0\r\no=- 77 5 IN IP4 127.0.0.1\r\n"))
        XCTAssertTrue(answer.groups.isEmpty)
        XCTAssertEqual(answer.media[0].port, 9)
    }
}
