import RTP
import XCTest
@testable import SFU

/// Picture Loss Indication toward the publisher (RFC 4585 §6.3.1): a new subscriber needs a
/// keyframe of the layer it will be forwarded, and a subscriber's own PLI is relayed to the
/// publisher for that layer (rate limited per layer). Media and RTCP enter SRTP-protected
/// through `MediaRouter.route`; subscriptions use `PeerConnection.subscribe`, as signalling does.
final class KeyframeRequestTests: XCTestCase {
    private var bed: ForwardingTestBed!
    private let ssrcs: [UInt32] = [1001, 1002, 1003]

    override func setUpWithError() throws { bed = try ForwardingTestBed() }
    override func tearDown() { bed = nil }

    private func simulcastTrack() -> PublishedTrack {
        bed.publishVideo(layers: [(rid: "q", ssrc: ssrcs[0], rtxSSRC: nil), (rid: "h", ssrc: ssrcs[1], rtxSSRC: nil),
                                  (rid: "f", ssrc: ssrcs[2], rtxSSRC: nil)])
    }

    private func sendDelta(layer: Int, sequence: UInt16, now: Double) throws {
        try bed.send(rtp: buildRTPPacket(payloadType: 96, marker: true, sequenceNumber: sequence, timestamp: UInt32(sequence) * 3000,
                                         ssrc: ssrcs[layer], payload: vp8Payload(keyframe: false, body: [1])),
                     from: bed.publisherEnd, now: now)
    }

    func testSubscribingAsksThePublisherForAKeyframeOfThePlainTrack() throws {
        let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1234, rtxSSRC: nil)])
        let (peer, _) = try bed.addSubscriber()
        XCTAssertTrue(bed.publisherEnd.datagrams.isEmpty)
        _ = try XCTUnwrap(peer.subscribe(to: track, streamID: "PA_pub|TR_video", trackID: "TR_video", now: 1))
        bed.deliverOutbound()
        let plis = bed.publisherEnd.pictureLossIndications
        XCTAssertEqual(plis.map(\.mediaSSRC), [1234])
        XCTAssertEqual(plis.first?.senderSSRC, bed.publisher.transport.rtcpSSRC)
        XCTAssertEqual(bed.context.counters.pliSent, 1)
        XCTAssertTrue(bed.subscribers.allSatisfy { $0.end.datagrams.isEmpty }, "the PLI goes to the publisher only")
    }

    func testSubscribingToSimulcastAsksForTheLayerItWillForward() throws {
        let track = simulcastTrack()
        // q and h arrive, f does not (the publisher's uplink dropped it): the subscriber starts on h.
        try sendDelta(layer: 0, sequence: 1, now: 1)
        try sendDelta(layer: 1, sequence: 1, now: 1)
        XCTAssertTrue(bed.publisherEnd.datagrams.isEmpty)
        let (peer, _) = try bed.addSubscriber()
        let downTrack = try XCTUnwrap(peer.subscribe(to: track, streamID: "PA_pub|TR_video", trackID: "TR_video", now: 1.1))
        bed.deliverOutbound()
        XCTAssertEqual(bed.publisherEnd.pictureLossIndications.map(\.mediaSSRC), [ssrcs[1]])

        // A second subscriber right after shares the request (one PLI per layer per 300 ms).
        let (other, _) = try bed.addSubscriber()
        _ = other.subscribe(to: track, streamID: "PA_pub|TR_video", trackID: "TR_video", now: 1.2)
        bed.deliverOutbound()
        XCTAssertEqual(bed.publisherEnd.pictureLossIndications.count, 1)
        withExtendedLifetime(downTrack) {}
    }

    func testRoutedSubscriberPLIIsRelayedForTheForwardedLayer() throws {
        let track = simulcastTrack()
        try sendDelta(layer: 0, sequence: 1, now: 1)
        try sendDelta(layer: 1, sequence: 1, now: 1)
        let (peer, end) = try bed.addSubscriber()
        let downTrack = bed.subscribe(peer, to: track, ssrc: 5000, now: 1)
        // h's keyframe starts forwarding on h.
        try bed.send(rtp: buildRTPPacket(payloadType: 96, marker: true, sequenceNumber: 2, timestamp: 6000, ssrc: ssrcs[1],
                                         payload: vp8Payload(keyframe: true, body: [1])),
                     from: bed.publisherEnd, now: 1.05)
        XCTAssertEqual(downTrack.currentLayer, 1)
        XCTAssertEqual(end.packets.count, 1)
        bed.publisherEnd.forgetReceived()

        // The subscriber lost a picture: its PLI names our SSRC; the publisher is asked for h.
        try bed.send(rtcp: [.pli(PictureLossIndication(senderSSRC: 77, mediaSSRC: downTrack.ssrc))], from: end, now: 2)
        XCTAssertEqual(bed.publisherEnd.pictureLossIndications,
                       [PictureLossIndication(senderSSRC: bed.publisher.transport.rtcpSSRC, mediaSSRC: ssrcs[1])])
        XCTAssertEqual(bed.context.counters.pliReceived, 1)

        // Another within 300 ms is absorbed; one naming an SSRC we do not send is ignored.
        try bed.send(rtcp: [.pli(PictureLossIndication(senderSSRC: 77, mediaSSRC: downTrack.ssrc))], from: end, now: 2.1)
        try bed.send(rtcp: [.pli(PictureLossIndication(senderSSRC: 77, mediaSSRC: 4242))], from: end, now: 3)
        XCTAssertEqual(bed.publisherEnd.pictureLossIndications.count, 1)

        // FIR (RFC 5104 §4.3.1) is treated alike.
        try bed.send(rtcp: [.fir(FullIntraRequest(senderSSRC: 77, entries: [(ssrc: downTrack.ssrc, sequenceNumber: 1)]))],
                     from: end, now: 4)
        XCTAssertEqual(bed.publisherEnd.pictureLossIndications.map(\.mediaSSRC), [ssrcs[1], ssrcs[1]])
    }
}
