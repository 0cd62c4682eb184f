import XCTest
import RTP
@testable import Egress

final class InputOpusTests: XCTestCase {
    func opus(_ seq: UInt16, _ ts: UInt32, _ body: [UInt8]) -> [UInt8] {
        buildRTPPacket(payloadType: 111, marker: false, sequenceNumber: seq, timestamp: ts, ssrc: 7, payload: body)
    }

    func testEveryPacketIsOneFrame() {
        var d = TrackDepacketizer(trackID: "mic", codec: .opus, clockRate: 48_000)
        XCTAssertFalse(d.needsKeyframe)
        var frames: [EncodedFrame] = []
        for i in 0..<5 {
            frames += d.push(rtp: opus(UInt16(1000 + i), UInt32(960 * i) &+ 12345, [0xFC, UInt8(i), 0xAA]),
                             arrival: Double(i) * 0.02)
        }
        XCTAssertEqual(frames.count, 5)
        XCTAssertEqual(frames.map(\.data), (0..<5).map { [0xFC, UInt8($0), 0xAA] })
        for (i, f) in frames.enumerated() {
            XCTAssertEqual(f.timestamp, Double(960 * i) / 48_000, accuracy: 1e-12)
            XCTAssertTrue(f.isKeyframe)
            XCTAssertEqual(f.codec, .opus)
        }
    }

    func testReorderAndLossDoNotBlockAudio() {
        var d = TrackDepacketizer(trackID: "mic", codec: .opus, clockRate: 48_000)
        var frames = d.push(rtp: opus(0, 0, [1]), arrival: 0)
        frames += d.push(rtp: opus(2, 1920, [3]), arrival: 0.04)
        frames += d.push(rtp: opus(1, 960, [2]), arrival: 0.045)
        XCTAssertEqual(frames.map(\.data), [[1], [2], [3]])
        // seq 3 lost: packets behind it wait at most 100 ms.
        frames = d.push(rtp: opus(4, 3840, [5]), arrival: 0.08)
        XCTAssertEqual(frames.count, 0)
        frames = d.push(rtp: opus(5, 4800, [6]), arrival: 0.19)
        XCTAssertEqual(frames.map(\.data), [[5], [6]])
        XCTAssertEqual(frames.first?.timestamp ?? -1, 0.08, accuracy: 1e-12)
        XCTAssertFalse(d.needsKeyframe)
    }

    func testClockRateZeroFallsBackToCodecDefault() {
        var d = TrackDepacketizer(trackID: "mic", codec: .opus, clockRate: 0)
        XCTAssertEqual(d.clockRate, 48_000)
        _ = d.push(rtp: opus(0, 0, [1]), arrival: 0)
        XCTAssertEqual(d.push(rtp: opus(1, 48_000, [1]), arrival: 1).first?.timestamp, 1.0)
    }

    func testSequenceRestartAfterRunOfLatePackets() {
        var d = TrackDepacketizer(trackID: "mic", codec: .opus, clockRate: 48_000)
        for i in 0..<10 { _ = d.push(rtp: opus(UInt16(30_000 + i), UInt32(960 * i), [1]), arrival: Double(i) * 0.02) }
        // Same SSRC, sequence restarted far below: after a short run of "late" packets the stream restarts.
        var frames: [EncodedFrame] = []
        for i in 0..<40 { frames += d.push(rtp: opus(UInt16(100 + i), UInt32(960 * i), [2]), arrival: 0.2 + Double(i) * 0.02) }
        XCTAssertEqual(frames.count, 40 - TrackDepacketizer.restartAfterLatePackets + 1)
        XCTAssertEqual(d.droppedPackets, TrackDepacketizer.restartAfterLatePackets - 1)
        // The track clock continues past the last frame of the old stream.
        XCTAssertGreaterThan(frames.first?.timestamp ?? 0, 0.18)
    }
}
