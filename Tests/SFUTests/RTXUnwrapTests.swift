import RTP
import XCTest
@testable import SFU

/// RTX from the publisher (RFC 4588 §4): the payload starts with the 2-byte original sequence
/// number (OSN), then the original payload. The SFU must forward it as the packet it repairs:
/// original sequence number (mapped into the subscriber's space), original payload type
/// (`apt`, §8.6), original payload without the OSN.
final class RTXUnwrapTests: XCTestCase {
    private let mediaSSRC: UInt32 = 1234
    private let rtxSSRC: UInt32 = 4321

    private func body(_ tag: UInt8, count: Int = 40) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: Int($0) * 7) ^ tag } }

    /// Through the socket path (`MediaRouter.route`, SRTP unprotect, SSRC dispatch): the
    /// publisher loses 101 and repairs it on its RTX SSRC after 102 went out.
    func testRoutedRTXPacketIsForwardedAsTheOriginalPacket() throws {
        let bed = try ForwardingTestBed()
        let track = bed.publishVideo(formats: [ForwardingTestBed.vp8, ForwardingTestBed.rtx],
                                     layers: [(rid: nil, ssrc: mediaSSRC, rtxSSRC: rtxSSRC)])
        let (peer, end) = try bed.addSubscriber()
        let downTrack = bed.subscribe(peer, to: track, ssrc: 7000, payloadType: 100, now: 0)

        let payloads = (0..<3).map { vp8Payload(keyframe: $0 == 0, body: body(UInt8($0))) }
        for index in [0, 2] {
            try bed.send(rtp: buildRTPPacket(payloadType: 96, marker: index == 2, sequenceNumber: UInt16(100 + index),
                                             timestamp: 9000 + UInt32(index / 2) * 3000, ssrc: mediaSSRC, payload: payloads[index]),
                         from: bed.publisherEnd, now: 1 + Double(index) * 0.01)
        }
        XCTAssertEqual(end.packets.count, 2)
        // RTX has its own SSRC, sequence space and payload type; the media timestamp and marker.
        let rtx = buildRTPPacket(payloadType: 97, marker: false, sequenceNumber: 5, timestamp: 9000, ssrc: rtxSSRC,
                                 payload: [0x00, 101] + payloads[1])
        try bed.send(rtp: rtx, from: bed.publisherEnd, now: 1.05)

        XCTAssertEqual(bed.context.counters.malformedPackets, 0)
        let forwarded = end.packets
        XCTAssertEqual(forwarded.count, 3)
        guard forwarded.count == 3 else { return }
        let first = forwarded[0].header.sequenceNumber
        let repaired = forwarded[2]
        XCTAssertEqual(repaired.header.ssrc, downTrack.ssrc)
        XCTAssertEqual(repaired.header.payloadType, 100, "the subscriber's VP8 type, not RTX")
        XCTAssertEqual(repaired.header.sequenceNumber, first &+ 1, "OSN 101 lands between 100 and 102")
        XCTAssertEqual(repaired.header.timestamp, forwarded[0].header.timestamp)
        XCTAssertEqual(repaired.payload, payloads[1], "original payload, without the OSN and without trailing bytes")
        XCTAssertEqual(forwarded[1].payload, payloads[2])
    }

    /// Straight into `PublishedTrack.receiveRetransmission` (as ForwardingCostTests calls
    /// `receive`): an RTX packet with RTP padding (RFC 3550 §5.1), in a buffer followed by
    /// bytes that are not part of it. The restored packet keeps its padding and nothing else.
    func testPaddedRTXPacketRestoresExactlyTheOriginalPayload() throws {
        let bed = try ForwardingTestBed()
        let track = bed.publishVideo(formats: [ForwardingTestBed.vp8, ForwardingTestBed.rtx],
                                     layers: [(rid: nil, ssrc: mediaSSRC, rtxSSRC: rtxSSRC)])
        let (peer, end) = try bed.addSubscriber()
        _ = bed.subscribe(peer, to: track, ssrc: 7001, payloadType: 100, now: 0)
        let original = vp8Payload(keyframe: true, body: body(9))
        let rtx = buildRTPPacket(payloadType: 97, marker: true, sequenceNumber: 77, timestamp: 1, ssrc: rtxSSRC,
                                 payload: [0x30, 0x39] + original, paddingLength: 4)
        var storage = rtx + [0xEE, 0xEE]  // not part of the packet
        try storage.withUnsafeMutableBytes { all in
            let packet = UnsafeMutableRawBufferPointer(rebasing: all[0..<rtx.count])
            let header = try RTPHeader.parse(UnsafeRawBufferPointer(packet))
            track.receiveRetransmission(packet, header: header, layer: track.layers[0], now: 1, context: bed.context)
        }
        bed.deliverOutbound()
        XCTAssertEqual(bed.context.counters.malformedPackets, 0)
        XCTAssertEqual(end.packets.count, 1)
        XCTAssertEqual(end.packets.first?.payload, original)
        XCTAssertEqual(end.packets.first?.header.marker, true)
        // The layer now holds the restored packet for NACKs: OSN 0x3039, the original bytes.
        let stored = track.layers[0].retransmissionBuffer?.withPacket(sequenceNumber: 0x3039, maxAge: 1, now: 1) { [UInt8]($0) }
        let storedHeader = try XCTUnwrap(stored.flatMap { bytes in bytes.withUnsafeBytes { try? RTPHeader.parse($0) } })
        XCTAssertEqual(storedHeader.ssrc, mediaSSRC)
        XCTAssertEqual(storedHeader.payloadType, 96)
        XCTAssertEqual(stored.map { Array($0[storedHeader.payloadRange]) }, original)
    }
}
