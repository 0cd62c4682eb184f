import XCTest
@testable import SDP

/// Parses the captured libwebrtc SDP and the hand-written aiortc/Chrome offers.
final class SDPFixtureParseTests: XCTestCase {
    func testEveryFixtureRoundTrips() throws {
        for name in Fixture.allFiles {
            let first = try Fixture.parsed(name)
            let text = first.serialize()
            XCTAssertTrue(text.hasSuffix("\r\n"), name)
            XCTAssertFalse(text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), name)
            let second = try SessionDescription.parse(text)
            XCTAssertEqual(first, second, name)
            XCTAssertEqual(text, second.serialize(), name)
        }
    }

    func testLineCountIsPreservedForLibwebrtcFixtures() throws {
        // Every line of libwebrtc output is modelled or kept, so nothing should be lost.
        for name in Fixture.livekitFiles {
            let original = try Fixture.text(name).split(separator: "\r\n").filter { !$0.isEmpty }
            let written = try Fixture.parsed(name).serialize().split(separator: "\r\n")
            XCTAssertEqual(original.count, written.count, name)
            XCTAssertEqual(Set(original.map(String.init)), Set(written.map(String.init)), name)
        }
    }

    func testPublisherOfferSessionLevel() throws {
        let sdp = try Fixture.parsed("v1_publisher_offer")
        XCTAssertEqual(sdp.sessionId, "2739703555446569654")
        XCTAssertEqual(sdp.sessionVersion, "2")
        XCTAssertEqual(sdp.originAddress, "127.0.0.1")
        XCTAssertEqual(sdp.sessionName, "-")
        XCTAssertEqual(sdp.timing, ["0 0"])
        XCTAssertEqual(sdp.groups, [Group(semantics: "BUNDLE", mids: ["0", "1", "2", "3", "4", "5", "6"])])
        XCTAssertEqual(sdp.msidSemantic, "WMS")
        XCTAssertTrue(sdp.hasAttribute("extmap-allow-mixed"))
        XCTAssertFalse(sdp.iceLite)
        XCTAssertEqual(sdp.media.count, 7)
        XCTAssertEqual(sdp.media.map(\.mid), ["0", "1", "2", "3", "4", "5", "6"])
    }

    func testPublisherOfferMediaLevel() throws {
        let sdp = try Fixture.parsed("v1_publisher_offer")
        let kinds = sdp.media.map(\.kind)
        XCTAssertEqual(kinds.filter { $0 == "audio" }.count, 3)
        XCTAssertEqual(kinds.filter { $0 == "video" }.count, 3)
        XCTAssertEqual(kinds.filter { $0 == "application" }.count, 1)
        let audio = try XCTUnwrap(sdp.media.first(where: { $0.kind == "audio" }))
        XCTAssertEqual(audio.direction, .recvonly)
        XCTAssertEqual(audio.iceUfrag, "3FZe")
        XCTAssertEqual(audio.icePwd, "jAToYiRDr0BpRIJEs0V+OZNz")
        XCTAssertEqual(audio.iceOptions, "trickle goog-sped-v1")
        XCTAssertEqual(audio.fingerprint?.algorithm, "sha-256")
        XCTAssertEqual(audio.fingerprint?.value.prefix(8), "D5:8F:CB")
        XCTAssertEqual(audio.fingerprint?.bytes?.count, 32)
        XCTAssertEqual(audio.setup, .actpass)
        XCTAssertTrue(audio.rtcpMux)
        XCTAssertTrue(audio.rtcpReducedSize)
        XCTAssertEqual(audio.connection, "IN IP4 0.0.0.0")
        XCTAssertEqual(audio.attribute("rtcp")?.value, "9 IN IP4 0.0.0.0")
        XCTAssertEqual(audio.codecs.map(\.payloadType), [111, 63, 9, 0, 8, 13, 110, 126])
        let opus = audio.codecs[0]
        XCTAssertEqual(opus.name, "opus")
        XCTAssertEqual(opus.clockRate, 48000)
        XCTAssertEqual(opus.channels, 2)
        XCTAssertEqual(opus.feedback, ["transport-cc"])
        XCTAssertEqual(opus.fmtpParameter("useinbandfec"), "1")
        XCTAssertEqual(opus.fmtpParameter("minptime"), "10")
        XCTAssertEqual(audio.codecs[1].fmtp, "111/111")
        XCTAssertEqual(audio.extmaps.map(\.id), [1, 2, 3, 4])
        XCTAssertEqual(audio.extmaps[3].uri, RTPHeaderExtensionURI.mid)

        let video = try XCTUnwrap(sdp.media.first(where: { $0.kind == "video" }))
        let vp8 = try XCTUnwrap(video.codec(payloadType: 96))
        XCTAssertEqual(vp8.name, "VP8")
        XCTAssertEqual(vp8.clockRate, 90000)
        XCTAssertNil(vp8.channels)
        XCTAssertEqual(vp8.feedback, ["goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"])
        XCTAssertEqual(video.codec(payloadType: 97)?.associatedPayloadType, 96)
        XCTAssertEqual(video.codec(payloadType: 109)?.fmtpParameter("profile-level-id"), "42e01f")
        XCTAssertEqual(video.codec(payloadType: 109)?.fmtpParameter("packetization-mode"), "1")
        XCTAssertEqual(video.codec(payloadType: 114)?.fmtpParameter("apt"), "109")
        XCTAssertEqual(video.codec(payloadType: 45)?.name, "AV1")
        XCTAssertEqual(video.codec(payloadType: 121)?.name, "ulpfec")
        XCTAssertEqual(video.extmaps.first(where: { $0.uri == RTPHeaderExtensionURI.rtpStreamId })?.id, 10)

        let data = try XCTUnwrap(sdp.media.first(where: { $0.kind == "application" }))
        XCTAssertEqual(data.proto, "UDP/DTLS/SCTP")
        XCTAssertEqual(data.formats, ["webrtc-datachannel"])
        XCTAssertEqual(data.sctpPort, 5000)
        XCTAssertEqual(data.maxMessageSize, 262144)
        XCTAssertTrue(data.codecs.isEmpty)
        XCTAssertEqual(sdp.iceCredentials(for: data)?.ufrag, "3FZe")
    }

    func testPublishReOfferWithSimulcastAndMSID() throws {
        let sdp = try Fixture.parsed("v0_03_client_offer")
        XCTAssertEqual(sdp.bundleMids, ["7", "8", "9", "10", "11", "12", "13", "14", "15"])
        let audio = try XCTUnwrap(sdp.media(mid: "13"))
        XCTAssertEqual(audio.direction, .sendonly)
        XCTAssertEqual(audio.msid, MSID(streamId: "-", trackId: "a7b1ab99-6101-4069-9594-10e00099f502"))
        XCTAssertEqual(audio.ssrcs, [
            SSRCAttribute(ssrc: 3090697691, name: "cname", value: "sEjc7EWzGczTxtoZ"),
            SSRCAttribute(ssrc: 3090697691, name: "msid", value: "- a7b1ab99-6101-4069-9594-10e00099f502"),
        ])
        XCTAssertEqual(audio.primarySSRC, 3090697691)

        let video = try XCTUnwrap(sdp.media(mid: "14"))
        XCTAssertEqual(video.direction, .sendonly)
        XCTAssertEqual(video.formats, ["96"])
        XCTAssertEqual(video.codecs.count, 1)
        XCTAssertEqual(video.rids, [RID(id: "f", direction: "send"), RID(id: "h", direction: "send"),
                                    RID(id: "q", direction: "send")])
        XCTAssertEqual(video.simulcast, "send f;h;q")
        XCTAssertEqual(video.simulcastDescription?.send, [["f"], ["h"], ["q"]])
        XCTAssertTrue(video.ssrcs.isEmpty)
        XCTAssertNil(video.primarySSRC)
        XCTAssertEqual(video.extmaps.count, 13)
        XCTAssertEqual(video.extmaps.last?.id, 9)

        let data = try XCTUnwrap(sdp.media(mid: "15"))
        XCTAssertEqual(data.attribute("sctp-init")?.value, "AQAAHnPQYZYAUAAA/////wfGVCfAAAAEgAgABoLA")
    }

    func testClientAnswerWithCandidates() throws {
        let sdp = try Fixture.parsed("v0_06_client_answer")
        XCTAssertEqual(sdp.media.count, 2)
        let data = sdp.media[0]
        XCTAssertEqual(data.port, 45852)
        XCTAssertEqual(data.connection, "IN IP4 192.0.2.2")
        XCTAssertEqual(data.candidates.count, 20)
        XCTAssertEqual(data.setup, .active)
        let first = try ICECandidate.parse(data.candidates[0])
        XCTAssertEqual(first.address, "192.0.2.2")
        XCTAssertEqual(first.port, 45852)
        let tcp = try ICECandidate.parse(data.candidates[2])
        XCTAssertEqual(tcp.transport, "tcp")
        XCTAssertEqual(tcp.extensionValue("tcptype"), "passive")
        let audio = sdp.media[1]
        XCTAssertEqual(audio.direction, .recvonly)
        XCTAssertFalse(audio.rtcpReducedSize)
        XCTAssertEqual(audio.codecs.first?.payloadType, 96)
        XCTAssertEqual(audio.extmaps, [ExtMap(id: 2, uri: RTPHeaderExtensionURI.audioLevel),
                                       ExtMap(id: 1, uri: RTPHeaderExtensionURI.mid)])
        XCTAssertEqual(sdp.fingerprint(for: audio)?.value.hasPrefix("31:2B"), true)
        XCTAssertEqual(sdp.setup(for: audio), .active)
    }

    func testAiortcOffer() throws {
        let sdp = try Fixture.parsed("aiortc_offer")
        XCTAssertEqual(sdp.msidSemantic, "WMS *")
        XCTAssertEqual(sdp.media.count, 2)
        let audio = sdp.media[0]
        XCTAssertEqual(audio.port, 51234)
        XCTAssertEqual(audio.direction, .sendrecv)
        XCTAssertEqual(audio.codecs.map(\.name), ["opus", "PCMU", "PCMA"])
        XCTAssertEqual(audio.candidates.count, 2)
        XCTAssertTrue(audio.endOfCandidates)
        XCTAssertEqual(sdp.iceCredentials(for: audio)?.ufrag, "Kq3x")
        XCTAssertEqual(sdp.iceCredentials(for: audio)?.pwd, "9fT2mYq8vLr0WcXb7NdE4sHa")
        XCTAssertEqual(audio.primarySSRC, 1843557432)
        let video = sdp.media[1]
        XCTAssertEqual(video.ssrcGroups, [SSRCGroup(semantics: "FID", ssrcs: [2712345678, 3187654321])])
        XCTAssertEqual(video.primarySSRC, 2712345678)
        XCTAssertEqual(video.distinctSSRCs, [2712345678, 3187654321])
        XCTAssertEqual(video.msid?.trackId, "a4d8e2f1-3c6b-4a9e-9f07-1b5c8d2e6f55")
        XCTAssertEqual(video.codecs.map(\.payloadType), [97, 98, 99, 100, 101, 102])
        XCTAssertEqual(video.codec(payloadType: 102)?.associatedPayloadType, 101)
        let srflx = try ICECandidate.parse(video.candidates[1])
        XCTAssertEqual(srflx.type, "srflx")
        XCTAssertEqual(srflx.relatedAddress, "192.168.1.20")
        XCTAssertEqual(srflx.relatedPort, 51234)
    }

    func testChromeSimulcastOffer() throws {
        let sdp = try Fixture.parsed("chrome_simulcast_offer")
        XCTAssertEqual(sdp.msidSemantic, "WMS 4f3a2b1c-d0e9-4f8a-b7c6-d5e4f3a2b1c0")
        let video = sdp.media[1]
        XCTAssertEqual(video.rids.map(\.id), ["q", "h", "f"])
        XCTAssertEqual(video.simulcastDescription, SimulcastDescription(send: [["q"], ["h"], ["f"]]))
        XCTAssertEqual(video.codecs.count, 15)
        XCTAssertEqual(video.codec(payloadType: 121)?.associatedPayloadType, 127)
    }

    func testStaticPayloadTypeWithoutRtpmap() throws {
        let text = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\nm=audio 9 RTP/AVP 0 8 97\na=rtpmap:8 PCMA/8000\n"
        let sdp = try SessionDescription.parse(text)
        // PT 97 has no rtpmap and no static mapping, so it is not a codec; the format stays listed.
        XCTAssertEqual(sdp.media[0].formats, ["0", "8", "97"])
        XCTAssertEqual(sdp.media[0].codecs.map(\.name), ["PCMU", "PCMA"])
        XCTAssertEqual(sdp.media[0].direction, .sendrecv)
    }

    func testSessionLevelFallbacksAndDirection() throws {
        let text = """
        v=0
        o=alice 2890844526 2890844526 IN IP4 198.51.100.1
        s=call
        c=IN IP4 198.51.100.1
        t=0 0
        a=ice-ufrag:sess
        a=ice-pwd:sessionpassword12345678
        a=fingerprint:sha-256 AA:BB
        a=setup:passive
        a=recvonly
        m=audio 49170 RTP/AVP 0
        m=video 51372 RTP/AVP 31
        a=ice-ufrag:vid
        a=sendonly
        """
        let sdp = try SessionDescription.parse(text)
        XCTAssertEqual(sdp.originUsername, "alice")
        XCTAssertEqual(sdp.connection, "IN IP4 198.51.100.1")
        XCTAssertEqual(sdp.media[0].direction, .recvonly)
        XCTAssertEqual(sdp.media[1].direction, .sendonly)
        XCTAssertEqual(sdp.iceCredentials(for: sdp.media[0])?.ufrag, "sess")
        XCTAssertEqual(sdp.iceCredentials(for: sdp.media[1])?.ufrag, "vid")
        XCTAssertEqual(sdp.iceCredentials(for: sdp.media[1])?.pwd, "sessionpassword12345678")
        XCTAssertEqual(sdp.fingerprint(for: sdp.media[1]), Fingerprint(algorithm: "sha-256", value: "AA:BB"))
        XCTAssertEqual(sdp.setup(for: sdp.media[0]), .passive)
        XCTAssertEqual(try SessionDescription.parse(sdp.serialize()), sdp)
    }
}
