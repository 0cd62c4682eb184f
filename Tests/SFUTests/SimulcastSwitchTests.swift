import RTP
import XCTest
@testable import SFU

/// Simulcast (RFC 8853) layer switch in a subscriber's forwarder: when its target layer
/// changes, it keeps forwarding the old layer until a keyframe of the new one arrives, then
/// only the new one, with no gap or jump in its own sequence numbers (RFC 3550 §5.1).
/// Media enters SRTP-protected through `MediaRouter.route`, the socket's path.
final class SimulcastSwitchTests: XCTestCase {
    /// LiveKit's RIDs, low to high; announced SSRCs.
    private let ssrcs: [UInt32] = [1001, 1002, 1003]
    private var sequences: [UInt16] = [1000, 30000, 65530]
    private var timestamps: [UInt32] = [10, 2_000_000, 4_000_000_000]
    private var bed: ForwardingTestBed!

    override func setUpWithError() throws { bed = try ForwardingTestBed() }
    override func tearDown() { bed = nil }

    /// One packet (a whole frame) on `layer`; the payload names layer and frame.
    private func sendFrame(layer: Int, frame: Int, keyframe: Bool = false, now: Double) throws {
        let packet = buildRTPPacket(payloadType: 96, marker: true, sequenceNumber: sequences[layer], timestamp: timestamps[layer],
                                    ssrc: ssrcs[layer], payload: vp8Payload(keyframe: keyframe, body: [UInt8(layer), UInt8(frame), 0xAB]))
        sequences[layer] &+= 1
        timestamps[layer] &+= 3000
        try bed.send(rtp: packet, from: bed.publisherEnd, now: now)
    }

    private func time(_ frame: Int) -> Double { 1 + Double(frame) / 30 }

    /// (layer, frame) of what the subscriber got, from the payload.
    private func origins(_ end: RemoteEndpoint) -> [[UInt8]] { end.packets.map { Array($0.payload[2...3]) } }

    func testRoutedTargetChangeSwitchesOnTheNewLayersKeyframeOnly() throws {
        let track = bed.publishVideo(layers: [(rid: "q", ssrc: ssrcs[0], rtxSSRC: nil), (rid: "h", ssrc: ssrcs[1], rtxSSRC: nil),
                                              (rid: "f", ssrc: ssrcs[2], rtxSSRC: nil)])
        XCTAssertEqual(track.layers.map(\.rid), ["q", "h", "f"])
        // All three layers arriving before anyone subscribes.
        for layer in 0..<3 { try sendFrame(layer: layer, frame: 0, now: time(0)) }
        let (peer, end) = try bed.addSubscriber()
        let downTrack = bed.subscribe(peer, to: track, ssrc: 5000, targetLayer: 0, now: time(0))
        XCTAssertEqual(bed.publisherEnd.pictureLossIndications.map(\.mediaSSRC), [ssrcs[0]], "keyframe asked of q")

        // q's keyframe starts the subscriber on q; h and f are not forwarded.
        try sendFrame(layer: 0, frame: 1, keyframe: true, now: time(1))
        try sendFrame(layer: 1, frame: 1, now: time(1))
        try sendFrame(layer: 2, frame: 1, now: time(1))
        for layer in 0..<3 { try sendFrame(layer: layer, frame: 2, now: time(2)) }
        XCTAssertEqual(origins(end), [[0, 1], [0, 2]])
        XCTAssertEqual(downTrack.currentLayer, 0)

        // The subscriber now wants f: a keyframe is asked of f, q keeps flowing meanwhile.
        bed.publisherEnd.forgetReceived()
        downTrack.targetLayer = 2
        downTrack.chooseLayer(now: time(3))
        bed.deliverOutbound()
        XCTAssertEqual(bed.publisherEnd.pictureLossIndications.map(\.mediaSSRC), [ssrcs[2]], "keyframe asked of f")
        for layer in 0..<3 { try sendFrame(layer: layer, frame: 3, now: time(3)) }
        // A keyframe on h (not the target) changes nothing.
        try sendFrame(layer: 0, frame: 4, now: time(4))
        try sendFrame(layer: 1, frame: 4, keyframe: true, now: time(4))
        try sendFrame(layer: 2, frame: 4, now: time(4))
        XCTAssertEqual(origins(end), [[0, 1], [0, 2], [0, 3], [0, 4]])
        XCTAssertEqual(downTrack.currentLayer, 0)

        // f's keyframe: from it on only f, even q packets of the same frame that come later.
        try sendFrame(layer: 0, frame: 5, now: time(5))
        try sendFrame(layer: 2, frame: 5, keyframe: true, now: time(5))
        try sendFrame(layer: 1, frame: 5, now: time(5))
        for frame in 6...7 {
            try sendFrame(layer: 2, frame: frame, now: time(frame))
            try sendFrame(layer: 0, frame: frame, now: time(frame))
            try sendFrame(layer: 1, frame: frame, now: time(frame))
        }
        XCTAssertEqual(origins(end), [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [2, 5], [2, 6], [2, 7]])
        XCTAssertEqual(downTrack.currentLayer, 2)

        let received = end.packets
        let first = received[0].header.sequenceNumber
        XCTAssertEqual(received.map(\.header.sequenceNumber), (0..<received.count).map { first &+ UInt16($0) },
                       "one continuous sequence across the switch")
        XCTAssertTrue(received.allSatisfy { $0.header.ssrc == downTrack.ssrc })
        // Timestamps move forward across the switch (by the wall clock), then with f's spacing.
        let stamps = received.map(\.header.timestamp)
        for i in 1..<stamps.count {
            XCTAssertTrue(stamps[i] &- stamps[i - 1] > 0 && stamps[i] &- stamps[i - 1] < 90000, "timestamp step \(i): \(stamps)")
        }
        XCTAssertEqual(stamps[6] &- stamps[5], 3000)
        XCTAssertEqual(stamps[7] &- stamps[6], 3000)
    }

    /// The wanted layer's keyframe (or our PLI) is lost while the forwarded layer has stopped:
    /// the forwarder keeps asking for the wanted layer, at most once per 300 ms, until the
    /// switch, and a subscriber PLI meanwhile names the wanted layer, so the picture recovers.
    func testLostKeyframeDuringASwitchIsAskedForAgain() throws {
        let track = bed.publishVideo(layers: [(rid: "q", ssrc: ssrcs[0], rtxSSRC: nil), (rid: "h", ssrc: ssrcs[1], rtxSSRC: nil),
                                              (rid: "f", ssrc: ssrcs[2], rtxSSRC: nil)])
        for layer in 0..<3 { try sendFrame(layer: layer, frame: 0, now: time(0)) }
        let (peer, end) = try bed.addSubscriber()
        let downTrack = bed.subscribe(peer, to: track, ssrc: 5000, targetLayer: 2, now: time(0))
        try sendFrame(layer: 2, frame: 1, keyframe: true, now: time(1))
        XCTAssertEqual(downTrack.currentLayer, 2)

        // f stops (the publisher dropped it); after a second the forwarder wants h, and asks once.
        let stop = time(1) + 1.5
        try sendFrame(layer: 1, frame: 2, now: stop - 0.1)
        bed.publisherEnd.forgetReceived()
        downTrack.chooseLayer(now: stop)
        bed.deliverOutbound()
        XCTAssertEqual(bed.publisherEnd.pictureLossIndications.map(\.mediaSSRC), [ssrcs[1]])
        // That keyframe never comes: h's delta frames renew the request, throttled.
        try sendFrame(layer: 1, frame: 3, now: stop + 0.1)
        try sendFrame(layer: 1, frame: 4, now: stop + 0.35)
        try sendFrame(layer: 1, frame: 5, now: stop + 0.5)
        bed.deliverOutbound()
        XCTAssertEqual(bed.publisherEnd.pictureLossIndications.map(\.mediaSSRC), [ssrcs[1], ssrcs[1]])
        // The subscriber's own PLI asks for h too, not for the stopped f.
        try bed.send(rtcp: [.pli(PictureLossIndication(senderSSRC: 77, mediaSSRC: downTrack.ssrc))], from: end, now: stop + 0.9)
        XCTAssertEqual(bed.publisherEnd.pictureLossIndications.map(\.mediaSSRC), [ssrcs[1], ssrcs[1], ssrcs[1]])
        try sendFrame(layer: 1, frame: 6, keyframe: true, now: stop + 1)
        XCTAssertEqual(downTrack.currentLayer, 1)
        XCTAssertEqual(origins(end).last, [1, 6])
    }
}
