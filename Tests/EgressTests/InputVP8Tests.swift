import XCTest
import RTP
@testable import Egress

final class InputVP8Tests: XCTestCase {
    typealias P = VP8TestPackets

    func push(_ d: inout TrackDepacketizer, _ packets: [[UInt8]], arrival: Double) -> [EncodedFrame] {
        packets.flatMap { d.push(rtp: $0, arrival: arrival) }
    }

    func testMultiPacketKeyframeIsReassembled() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        XCTAssertTrue(d.needsKeyframe, "video waits for a keyframe from the start")
        let key = P.frame(key: true, size: 3000, fill: 7)
        let packets = P.packets(frame: key, parts: 3, seq: 100, ts: 5000, pictureID: 1)
        XCTAssertEqual(d.push(rtp: packets[0], arrival: 1.0).count, 0)
        XCTAssertEqual(d.push(rtp: packets[1], arrival: 1.0).count, 0)
        let frames = d.push(rtp: packets[2], arrival: 1.01)
        XCTAssertEqual(frames.count, 1)
        XCTAssertEqual(frames.first?.data, key)
        XCTAssertEqual(frames.first?.isKeyframe, true)
        XCTAssertEqual(frames.first?.timestamp, 0)
        XCTAssertEqual(frames.first?.trackID, "v")
        XCTAssertEqual(frames.first?.codec, .vp8)
        XCTAssertEqual(frames.first?.arrival, 1.0)
        XCTAssertFalse(d.needsKeyframe)

        let inter = P.frame(key: false, size: 500, fill: 9)
        let next = push(&d, P.packets(frame: inter, parts: 2, seq: 103, ts: 8000, pictureID: 2), arrival: 1.04)
        XCTAssertEqual(next.count, 1)
        XCTAssertEqual(next.first?.data, inter)
        XCTAssertEqual(next.first?.isKeyframe, false)
        XCTAssertEqual(next.first?.timestamp ?? -1, 3000.0 / 90_000, accuracy: 1e-12)
        XCTAssertEqual(d.droppedPackets, 0)
        XCTAssertEqual(d.droppedFrames, 0)
    }

    func testReorderWithinWindow() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        let key = P.frame(key: true, size: 4000, fill: 1)
        let inter = P.frame(key: false, size: 900, fill: 2)
        let a = P.packets(frame: key, parts: 4, seq: 65534, ts: 0, pictureID: 10)  // wraps 65535 -> 0
        let b = P.packets(frame: inter, parts: 2, seq: 2, ts: 3000, pictureID: 11)
        var frames: [EncodedFrame] = []
        for p in [a[0], a[2], a[1], b[0], a[3], b[1]] { frames += d.push(rtp: p, arrival: 0.5) }
        XCTAssertEqual(frames.map(\.data), [key, inter])
        XCTAssertEqual(frames.map(\.isKeyframe), [true, false])
        XCTAssertEqual(d.droppedPackets, 0)
    }

    func testDuplicateIsDroppedAndCounted() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        let key = P.frame(key: true, size: 100, fill: 1)
        let a = P.packets(frame: key, parts: 2, seq: 10, ts: 0, pictureID: 1)
        _ = d.push(rtp: a[0], arrival: 0)
        _ = d.push(rtp: a[0], arrival: 0)
        let frames = d.push(rtp: a[1], arrival: 0)
        XCTAssertEqual(frames.map(\.data), [key])
        XCTAssertEqual(frames.count, 1)
        _ = d.push(rtp: a[1], arrival: 0)  // late duplicate after release
        XCTAssertEqual(d.droppedPackets, 2)
    }

    func testLossDropsFrameAndWaitsForNextKeyframe() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        let key1 = P.frame(key: true, size: 300, fill: 1)
        XCTAssertEqual(push(&d, P.packets(frame: key1, parts: 3, seq: 0, ts: 0, pictureID: 0), arrival: 0).count, 1)
        XCTAssertFalse(d.needsKeyframe)

        // Frame 2 loses its middle packet (seq 4); frame 3 is fine but references frame 2.
        let f2 = P.packets(frame: P.frame(key: false, size: 300, fill: 2), parts: 3, seq: 3, ts: 3000, pictureID: 1)
        let f3 = P.packets(frame: P.frame(key: false, size: 200, fill: 3), parts: 2, seq: 6, ts: 6000, pictureID: 2)
        var frames = push(&d, [f2[0], f2[2]] + f3, arrival: 0.05)
        XCTAssertEqual(frames.count, 0, "held while seq 4 may still come")
        // 150 ms later the hole is given up on.
        let f4 = P.packets(frame: P.frame(key: false, size: 200, fill: 4), parts: 2, seq: 8, ts: 9000, pictureID: 3)
        frames = push(&d, f4, arrival: 0.2)
        XCTAssertEqual(frames.count, 0, "frame 2 incomplete, frames 3 and 4 undecodable")
        XCTAssertTrue(d.needsKeyframe)
        XCTAssertEqual(d.droppedFrames, 3)

        // The lost packet arriving now is too late.
        _ = d.push(rtp: f2[1], arrival: 0.21)
        XCTAssertEqual(d.droppedPackets, 1)

        let key2 = P.frame(key: true, size: 400, fill: 5)
        frames = push(&d, P.packets(frame: key2, parts: 2, seq: 10, ts: 12000, pictureID: 4), arrival: 0.25)
        XCTAssertEqual(frames.map(\.data), [key2])
        XCTAssertEqual(frames.first?.isKeyframe, true)
        XCTAssertEqual(frames.first?.timestamp ?? -1, 12000.0 / 90_000, accuracy: 1e-12)
        XCTAssertFalse(d.needsKeyframe)
    }

    func testLostFirstPacketOfKeyframeIsNotAccepted() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        let key = P.packets(frame: P.frame(key: true, size: 300, fill: 1), parts: 3, seq: 0, ts: 0, pictureID: 0)
        // The first packet of the stream is missing: the frame's start (S bit) is never seen.
        XCTAssertEqual(push(&d, [key[1], key[2]], arrival: 0).count, 0)
        XCTAssertTrue(d.needsKeyframe)
        XCTAssertEqual(d.droppedFrames, 1)
    }

    func testWindowOf64PacketsForcesProgress() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        let key = P.frame(key: true, size: 100, fill: 1)
        XCTAssertEqual(push(&d, P.packets(frame: key, parts: 1, seq: 0, ts: 0, pictureID: 0), arrival: 0).count, 1)
        // seq 1 never arrives; 64 later single-packet keyframes arrive at the same instant.
        var frames: [EncodedFrame] = []
        for i in 0..<64 {
            let seq = UInt16(2 + i)
            frames += d.push(rtp: P.packet(seq: seq, ts: UInt32(3000 * (i + 1)), marker: true, start: true,
                                           pictureID: seq, data: key), arrival: 0)
        }
        XCTAssertGreaterThan(frames.count, 0, "a hole spanned by 64 packets is declared lost without waiting")
        XCTAssertEqual(frames.first?.timestamp ?? -1, 3000.0 / 90_000, accuracy: 1e-12)
    }

    func testMissingMarkerFrameCompletesOnTimestampChangeAndFlushDropsIncomplete() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        let key = P.frame(key: true, size: 200, fill: 1)
        var frames = push(&d, [P.packet(seq: 0, ts: 0, marker: false, start: true, pictureID: 0, data: key)], arrival: 0)
        XCTAssertEqual(frames.count, 0)
        let inter = P.frame(key: false, size: 50, fill: 2)
        frames = push(&d, [P.packet(seq: 1, ts: 3000, marker: false, start: true, pictureID: 1, data: inter)], arrival: 0)
        XCTAssertEqual(frames.map(\.data), [key], "no loss, so a new timestamp ends the previous frame")
        frames = d.flush()
        XCTAssertEqual(frames.count, 0, "the last frame never saw its marker")
        XCTAssertEqual(d.droppedFrames, 1)
    }

    func testFlushReleasesHeldPacketsAfterHole() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        let key = P.frame(key: true, size: 100, fill: 1)
        _ = d.push(rtp: P.packet(seq: 0, ts: 0, marker: true, start: true, pictureID: 0, data: key), arrival: 0)
        // seq 1 missing; seq 2 is a complete keyframe held behind the hole.
        XCTAssertEqual(d.push(rtp: P.packet(seq: 2, ts: 6000, marker: true, start: true, pictureID: 2, data: key),
                              arrival: 0.01).count, 0)
        let frames = d.flush()
        XCTAssertEqual(frames.count, 1)
        XCTAssertEqual(frames.first?.timestamp ?? -1, 6000.0 / 90_000, accuracy: 1e-12)
    }

    func testTimestampWrapAndPaddingPackets() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        let key = P.frame(key: true, size: 100, fill: 1)
        let start = UInt32.max - 1000
        var frames = push(&d, [P.packet(seq: 0, ts: start, marker: true, start: true, pictureID: 0, data: key)], arrival: 0)
        // A padding-only packet (RFC 3550 §5.1) in the sequence space does not disturb anything.
        let padding = buildRTPPacket(payloadType: 96, marker: false, sequenceNumber: 1, timestamp: start, ssrc: P.ssrc,
                                     payload: [], paddingLength: 200)
        frames += d.push(rtp: padding, arrival: 0.01)
        frames += push(&d, [P.packet(seq: 2, ts: start &+ 3000, marker: true, start: true, pictureID: 1,
                                     data: P.frame(key: false, size: 30, fill: 3))], arrival: 0.03)
        XCTAssertEqual(frames.count, 2)
        XCTAssertEqual(frames.last?.timestamp ?? -1, 3000.0 / 90_000, accuracy: 1e-12)
        XCTAssertEqual(d.droppedPackets, 0)
        XCTAssertFalse(d.needsKeyframe)
    }

    func testSSRCChangeContinuesTrackClockAndNeedsKeyframe() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        let key = P.frame(key: true, size: 100, fill: 1)
        _ = push(&d, [P.packet(seq: 500, ts: 90_000, marker: true, start: true, pictureID: 0, data: key)], arrival: 10)
        _ = push(&d, [P.packet(seq: 501, ts: 180_000, marker: true, start: true, pictureID: 1,
                               data: P.frame(key: false, size: 20, fill: 2))], arrival: 11)
        // New SSRC (e.g. a sender restart) with an unrelated sequence and timestamp base, 0.5 s later.
        let inter = P.packet(seq: 9, ts: 77, marker: true, start: true, pictureID: 2,
                             data: P.frame(key: false, size: 20, fill: 3), ssrc: 42)
        XCTAssertEqual(d.push(rtp: inter, arrival: 11.5).count, 0, "inter frame on a new stream is undecodable")
        XCTAssertTrue(d.needsKeyframe)
        let key2 = P.packet(seq: 10, ts: 77 + 9000, marker: true, start: true, pictureID: 3, data: key, ssrc: 42)
        let frames = d.push(rtp: key2, arrival: 11.6)
        XCTAssertEqual(frames.count, 1)
        XCTAssertEqual(frames.first?.timestamp ?? -1, 1.5 + 0.1, accuracy: 1e-9)
    }

    func testMalformedPacketsAreCountedAndDropped() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp8, clockRate: 90_000)
        XCTAssertEqual(d.push(rtp: [0x80, 0x60, 0x00], arrival: 0).count, 0)  // shorter than the RTP header
        XCTAssertEqual(d.push(rtp: [UInt8](repeating: 0, count: 20), arrival: 0).count, 0)  // version 0
        // VP8 descriptor says X=1, I=1, M=1 but is truncated.
        let bad = buildRTPPacket(payloadType: 96, marker: true, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: [0x90, 0x80])
        XCTAssertEqual(d.push(rtp: bad, arrival: 0).count, 0)
        XCTAssertEqual(d.droppedPackets, 3)
    }

    func testUnsupportedCodecCountsPackets() {
        var d = TrackDepacketizer(trackID: "v", codec: .vp9, clockRate: 90_000)
        let p = buildRTPPacket(payloadType: 98, marker: true, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: [1, 2, 3])
        XCTAssertEqual(d.push(rtp: p, arrival: 0).count, 0)
        XCTAssertEqual(d.droppedPackets, 1)
    }
}
