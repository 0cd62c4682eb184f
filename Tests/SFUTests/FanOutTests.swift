import RTP
import XCTest
@testable import SFU

/// Publisher → subscribers (DESIGN.md "fan-out"): each packet a publisher sends reaches every
/// subscriber once, on the subscriber's own SSRC, in its own continuous sequence/timestamp
/// space (RFC 3550 §5.1), with the payload type it negotiated, payload unchanged. Packets are
/// injected SRTP-protected through `MediaRouter.route`, the path the UDP socket uses.
final class FanOutTests: XCTestCase {
    func testRoutedPublisherPacketsReachEverySubscriberRewritten() throws {
        let bed = try ForwardingTestBed()
        let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1234, rtxSSRC: nil)])
        let subscribers = 3
        var downTracks: [DownTrack] = []
        for index in 0..<subscribers {
            let (peer, _) = try bed.addSubscriber()
            downTracks.append(bed.subscribe(peer, to: track, ssrc: UInt32(5000 + index), payloadType: UInt8(100 + index), now: 0))
        }
        bed.forgetReceived()

        // Video waits for a keyframe: a delta frame first goes nowhere.
        try bed.send(rtp: buildRTPPacket(payloadType: 96, marker: true, sequenceNumber: 65532, timestamp: 4_294_960_000,
                                         ssrc: 1234, payload: vp8Payload(keyframe: false, body: [1, 2, 3])),
                     from: bed.publisherEnd, now: 1)
        XCTAssertTrue(bed.subscribers.allSatisfy { $0.end.packets.isEmpty })

        // Then a keyframe and delta frames, across the publisher's sequence and timestamp wrap.
        var sent: [(sequence: UInt16, timestamp: UInt32, marker: Bool, payload: [UInt8])] = []
        for index in 0..<8 {
            let sequence = UInt16(65533) &+ UInt16(index)
            let timestamp = UInt32(4_294_963_000) &+ UInt32(index / 2) * 3000
            let payload = vp8Payload(keyframe: index == 0, body: (0..<(200 + index)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) })
            sent.append((sequence, timestamp, index % 2 == 1, payload))
            try bed.send(rtp: buildRTPPacket(payloadType: 96, marker: index % 2 == 1, sequenceNumber: sequence, timestamp: timestamp,
                                             ssrc: 1234, payload: payload),
                         from: bed.publisherEnd, now: 1.1 + Double(index) * 0.016)
            for (peer, end) in bed.subscribers {
                XCTAssertEqual(end.packets.count, index + 1, "packet \(index) reached \(peer.id) once")
            }
        }
        XCTAssertEqual(bed.strayDatagrams, 0)
        XCTAssertEqual(bed.context.counters.rtpPacketsSent, UInt64(subscribers * sent.count))

        for (index, (_, end)) in bed.subscribers.enumerated() {
            let received = end.packets
            XCTAssertEqual(received.count, sent.count)
            guard received.count == sent.count else { continue }
            let firstSequence = received[0].header.sequenceNumber
            let firstTimestamp = received[0].header.timestamp
            for (i, packet) in received.enumerated() {
                XCTAssertEqual(packet.header.ssrc, downTracks[index].ssrc)
                XCTAssertEqual(packet.header.payloadType, UInt8(100 + index))
                XCTAssertEqual(packet.header.sequenceNumber, firstSequence &+ UInt16(i), "continuous sequence numbers")
                XCTAssertEqual(packet.header.timestamp &- firstTimestamp, sent[i].timestamp &- sent[0].timestamp,
                               "timestamps keep the publisher's spacing")
                XCTAssertEqual(packet.header.marker, sent[i].marker)
                XCTAssertEqual(packet.payload, sent[i].payload)
                XCTAssertEqual(packet.extensionValue(id: 1), Array(downTracks[index].mid.utf8), "RFC 8843 MID of the subscriber's m-line")
            }
        }
    }

    func testAPausedSubscriberGetsNothingWhileOthersDo() throws {
        let bed = try ForwardingTestBed()
        let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1234, rtxSSRC: nil)])
        let (first, firstEnd) = try bed.addSubscriber()
        let (second, secondEnd) = try bed.addSubscriber()
        _ = bed.subscribe(first, to: track, ssrc: 5000, now: 0)
        bed.subscribe(second, to: track, ssrc: 5001, now: 0).isPaused = true
        try bed.send(rtp: buildRTPPacket(payloadType: 96, marker: true, sequenceNumber: 1, timestamp: 1, ssrc: 1234,
                                         payload: vp8Payload(keyframe: true, body: [9])),
                     from: bed.publisherEnd, now: 1)
        XCTAssertEqual(firstEnd.packets.count, 1)
        XCTAssertEqual(secondEnd.packets.count, 0)
    }
}
