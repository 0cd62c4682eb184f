import DTLS
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import SDP
import XCTest
@testable import SFU

/// Single peer connection (LiveKit `/rtc/v1`): what we send rides on the client's
/// receive-only sections, bound when we answer its offers. Driven with the offer the real
/// Python SDK 1.2.1 puts in its join request (a data section, 3 recvonly audio, 3 recvonly video).
final class SinglePeerNegotiationTests: XCTestCase {
    private var keep: [AnyObject] = []

    private func fixture() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../SDPTests/Fixtures/v1_publisher_offer.sdp")
        return try String(contentsOf: url, encoding: .utf8)
    }

    private func makePeers() throws -> (subscriber: PeerConnection, audio: PublishedTrack, videos: [PublishedTrack]) {
        let context = MediaContext(logger: Logger(label: "test"), certificate: try DTLSCertificate.generate(),
                                   inboundLoss: 0, outboundLoss: 0)
        let channel = EmbeddedChannel()
        let socket = MediaSocket(channel: channel)
        let room = Room(name: "single")
        let publisher = PeerConnection(id: "pub", transport: WebRTCTransport(socket: socket, context: context), room: room, now: 0)
        let opus = PayloadFormat(Codec(payloadType: 111, name: "opus", clockRate: 48000, channels: 2, fmtp: nil, feedback: []))
        let vp8 = PayloadFormat(Codec(payloadType: 96, name: "VP8", clockRate: 90000, channels: nil, fmtp: nil, feedback: []))
        let audio = PublishedTrack(id: "TR_audio", kind: .audio, mid: "0", publisher: publisher, formats: [opus],
                                   layers: [(rid: nil, ssrc: 1, rtxSSRC: nil)], audioLevelExtensionID: nil)
        let videos = (1...5).map { index in
            PublishedTrack(id: "TR_video\(index)", kind: .video, mid: "\(index)", publisher: publisher, formats: [vp8],
                           layers: [(rid: nil, ssrc: UInt32(100 + index), rtxSSRC: nil)], audioLevelExtensionID: nil)
        }
        let subscriber = PeerConnection(id: "sub", transport: WebRTCTransport(socket: socket, context: context), room: room, now: 0)
        subscriber.sendInAnswers()
        keep = [channel, room, publisher, audio, subscriber] + videos
        return (subscriber, audio, videos)
    }

    private func answer(_ peer: PeerConnection, _ offer: String) throws -> SessionDescription {
        let result = try peer.answer(offer: offer, play: false, now: 1) { _ in nil }
        return try SessionDescription.parse(result.answer)
    }

    func testSubscriptionsRideOnTheClientsReceiveOnlySections() throws {
        let (peer, audio, videos) = try makePeers()
        let offer = try fixture()
        let audioCopy = try XCTUnwrap(peer.subscribe(to: audio, streamID: "PA_a|TR_audio", trackID: "TR_audio", now: 0))
        let videoCopy = try XCTUnwrap(peer.subscribe(to: videos[0], streamID: "PA_b|TR_video1", trackID: "TR_video1", now: 0))
        XCTAssertEqual(audioCopy.mid, "", "unbound until an answer puts it on a section")
        XCTAssertTrue(peer.hasPendingSends)

        let answer = try answer(peer, offer)
        let sending = answer.media.filter { $0.direction == .sendonly }
        XCTAssertEqual(sending.map(\.kind), ["audio", "video"])
        XCTAssertEqual(audioCopy.mid, sending[0].mid)
        XCTAssertEqual(videoCopy.mid, sending[1].mid)
        XCTAssertEqual(sending[1].msid?.streamId, "PA_b|TR_video1")
        XCTAssertEqual(sending[1].msid?.trackId, "TR_video1")
        // Only the subscribed track's codec, on the payload type the client offered.
        XCTAssertEqual(sending[0].codecs.map(\.name), ["opus"])
        XCTAssertEqual(sending[1].codecs.map { $0.name.uppercased() }, ["VP8"])
        XCTAssertEqual(peer.sentTrackIDsByMid, [sending[0].mid!: "TR_audio", sending[1].mid!: "TR_video1"])
        // The other receive-only sections stay inactive; the data section is answered.
        XCTAssertEqual(answer.media.filter { $0.direction == .inactive && $0.port != 0 }.count, 4)
        XCTAssertTrue(answer.media.contains { $0.kind == "application" && $0.port != 0 })
        XCTAssertFalse(peer.hasPendingSends)
        XCTAssertEqual(peer.missingReceiveSections.audio, 0)
        XCTAssertEqual(peer.missingReceiveSections.video, 0)

        // The same offer again changes nothing: same sections, same streams.
        let again = try self.answer(peer, offer)
        XCTAssertEqual(again.media.filter { $0.direction == .sendonly }.map(\.mid), sending.map(\.mid))
    }

    /// Once it publishes, the Python SDK's offers carry `x-google-start-bitrate=1000` on every
    /// video format, receive-only sections included. The section we already send on must be
    /// answered as before: a changed format makes libwebrtc rebuild the receive stream.
    func testALaterOfferWithSenderHintsGetsTheSameSendingSection() throws {
        let (peer, _, videos) = try makePeers()
        let offer = try fixture()
        _ = try XCTUnwrap(peer.subscribe(to: videos[0], streamID: "PA_b|TR_video1", trackID: "TR_video1", now: 0))
        let first = try answer(peer, offer)
        let hinted = offer.replacingOccurrences(of: "a=rtpmap:96 VP8/90000\r\n", with: "a=rtpmap:96 VP8/90000\r\na=fmtp:96 x-google-start-bitrate=1000\r\n")
        XCTAssertNotEqual(hinted, offer, "the fixture must offer VP8 on 96")
        let second = try answer(peer, hinted)
        let before = try XCTUnwrap(first.media.first { $0.direction == .sendonly })
        let after = try XCTUnwrap(second.media.first { $0.mid == before.mid })
        XCTAssertEqual(after.direction, .sendonly)
        XCTAssertEqual(after.codecs, before.codecs)
        XCTAssertNil(after.codecs.first?.fmtp)
    }

    func testRemovingParametersKeepsTheOthers() {
        let h264 = Codec(payloadType: 109, name: "H264", clockRate: 90000,
                         fmtp: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f;x-google-start-bitrate=1000")
        XCTAssertEqual(h264.removingParameters(prefixed: "x-google-").fmtp,
                       "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f")
        let vp8 = Codec(payloadType: 96, name: "VP8", clockRate: 90000, fmtp: "x-google-start-bitrate=1000; X-Google-Max-Bitrate=2000")
        XCTAssertNil(vp8.removingParameters(prefixed: "x-google-").fmtp)
    }

    func testMoreSubscriptionsThanSectionsAskForTheShortfall() throws {
        let (peer, _, videos) = try makePeers()
        let offer = try fixture()
        for (index, video) in videos.enumerated() {
            _ = peer.subscribe(to: video, streamID: "PA_b|TR_video\(index + 1)", trackID: "TR_video\(index + 1)", now: 0)
        }
        // Before any answer nothing is known to be free: all five are missing.
        XCTAssertEqual(peer.missingReceiveSections.video, 5)
        let answer = try answer(peer, offer)
        XCTAssertEqual(answer.media.filter { $0.kind == "video" && $0.direction == .sendonly }.count, 3)
        XCTAssertEqual(peer.missingReceiveSections.video, 2)
        XCTAssertEqual(peer.missingReceiveSections.audio, 0)
        XCTAssertEqual(peer.sentTrackIDsByMid.count, 3)
    }

    func testAnEndedSubscriptionsSectionTurnsInactiveAndIsNotReused() throws {
        let (peer, _, videos) = try makePeers()
        let offer = try fixture()
        let first = try XCTUnwrap(peer.subscribe(to: videos[0], streamID: "PA_b|TR_video1", trackID: "TR_video1", now: 0))
        _ = try answer(peer, offer)
        let firstMid = first.mid
        peer.unsubscribe(first, now: 1)
        _ = peer.subscribe(to: videos[1], streamID: "PA_b|TR_video2", trackID: "TR_video2", now: 1)
        let answer = try answer(peer, offer)
        let old = try XCTUnwrap(answer.media.first { $0.mid == firstMid })
        XCTAssertEqual(old.direction, .inactive)
        let sending = answer.media.filter { $0.direction == .sendonly }
        XCTAssertEqual(sending.count, 1)
        XCTAssertNotEqual(sending[0].mid, firstMid)
        XCTAssertEqual(sending[0].msid?.trackId, "TR_video2")
        XCTAssertEqual(peer.sentTrackIDsByMid, [sending[0].mid!: "TR_video2"])
    }

    func testAPendingSubscriptionThatEndsIsForgotten() throws {
        let (peer, audio, _) = try makePeers()
        let copy = try XCTUnwrap(peer.subscribe(to: audio, streamID: "PA_a|TR_audio", trackID: "TR_audio", now: 0))
        XCTAssertTrue(peer.hasPendingSends)
        peer.unsubscribe(copy, now: 0)
        XCTAssertFalse(peer.hasPendingSends)
        let answer = try answer(peer, try fixture())
        XCTAssertTrue(answer.media.allSatisfy { $0.direction != .sendonly })
    }
}
