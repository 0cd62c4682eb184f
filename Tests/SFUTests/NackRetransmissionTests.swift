import RTP
import XCTest
@testable import SFU

/// A subscriber's Generic NACK (RFC 4585 §6.2.1) is answered from the publisher-side
/// retransmission buffer: the same packet again, on the same rewritten sequence number
/// (RTX toward subscribers is not negotiated, so RFC 4588 session multiplexing is not used).
/// Media and RTCP enter SRTP-protected through `MediaRouter.route`, the socket's path.
final class NackRetransmissionTests: XCTestCase {
    private var bed: ForwardingTestBed!
    private var downTrack: DownTrack!
    private var end: RemoteEndpoint!

    override func setUpWithError() throws {
        bed = try ForwardingTestBed()
        let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1234, rtxSSRC: nil)])
        let (peer, end) = try bed.addSubscriber()
        self.end = end
        downTrack = bed.subscribe(peer, to: track, ssrc: 5000, now: 0)
        for index in 0..<6 {
            try bed.send(rtp: buildRTPPacket(payloadType: 96, marker: index % 3 == 2, sequenceNumber: UInt16(300 + index),
                                             timestamp: 7000 + UInt32(index / 3) * 3000, ssrc: 1234,
                                             payload: vp8Payload(keyframe: index == 0, body: [UInt8](repeating: UInt8(index), count: 100 + index))),
                         from: bed.publisherEnd, now: 1 + Double(index) * 0.01)
        }
        XCTAssertEqual(end.packets.count, 6)
    }

    override func tearDown() {
        bed = nil
        downTrack = nil
        end = nil
    }

    private func nack(_ sequences: [UInt16], mediaSSRC: UInt32? = nil, now: Double) throws {
        try bed.send(rtcp: [.nack(GenericNACK(senderSSRC: 999, mediaSSRC: mediaSSRC ?? downTrack.ssrc, lostSequenceNumbers: sequences))],
                     from: end, now: now)
    }

    func testRoutedNackResendsTheSentPacketsUnchanged() throws {
        let sent = end.packets
        let first = sent[0].header.sequenceNumber
        end.forgetReceived()
        try nack([first &+ 1, first &+ 4], now: 1.2)  // one FCI entry: PID + BLP (RFC 4585 §6.2.1)

        // The SRTP replay check (RFC 3711 §3.3.2) refuses the copies on the subscriber's side:
        // same SSRC, same index. So compare the datagrams: identical bytes mean the same
        // sequence number, timestamp, marker, payload type and payload.
        XCTAssertEqual(end.refused.count, 2)
        XCTAssertEqual(end.refused.first, sent[1].protected)
        XCTAssertEqual(end.refused.last, sent[4].protected)
        XCTAssertEqual(bed.context.counters.nackAnswered, 2)
        XCTAssertEqual(bed.context.counters.nackMissed, 0)
    }

    func testRoutedNackForWhatWasNeverSentDoesNothing() throws {
        let first = end.packets[0].header.sequenceNumber
        end.forgetReceived()
        try nack([first &- 1, first &+ 6, first &+ 300], now: 1.2)
        XCTAssertTrue(end.datagrams.isEmpty, "nothing resent: \(end.datagrams)")
        XCTAssertEqual(bed.context.counters.nackAnswered, 0)
        XCTAssertEqual(bed.context.counters.nackMissed, 3)

        // A NACK naming an SSRC we do not send is not ours to answer.
        try nack([first &+ 1], mediaSSRC: downTrack.ssrc &+ 1, now: 1.3)
        XCTAssertTrue(end.datagrams.isEmpty)
        XCTAssertEqual(bed.context.counters.nackAnswered, 0)
    }

    func testRoutedNackAfterTheBufferAgedOutDoesNothing() throws {
        let first = end.packets[0].header.sequenceNumber
        end.forgetReceived()
        try nack([first &+ 2], now: 10)  // DownTrack serves packets up to 2 s old
        XCTAssertTrue(end.datagrams.isEmpty)
        XCTAssertEqual(bed.context.counters.nackMissed, 1)
    }
}
