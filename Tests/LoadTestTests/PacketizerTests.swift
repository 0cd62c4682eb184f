import RTP
import XCTest
@testable import LoadTest

final class PacketizerTests: XCTestCase {
    func testVP8FragmentsCoverTheFrameEvenly() {
        XCTAssertEqual(VP8Packetizer.packetCount(frameLength: 0, maxPayload: 1_100), 1)
        XCTAssertEqual(VP8Packetizer.packetCount(frameLength: 1_096, maxPayload: 1_100), 1)
        XCTAssertEqual(VP8Packetizer.packetCount(frameLength: 1_097, maxPayload: 1_100), 2)
        for length in [1, 500, 1_097, 5_000, 45_123] {
            let count = VP8Packetizer.packetCount(frameLength: length, maxPayload: 1_100)
            var covered = 0
            var sizes: [Int] = []
            for index in 0..<count {
                let range = VP8Packetizer.fragment(index, of: count, frameLength: length)
                XCTAssertEqual(range.lowerBound, covered)
                covered = range.upperBound
                sizes.append(range.count)
                XCTAssertLessThanOrEqual(range.count + VP8Packetizer.descriptorLength, 1_100)
            }
            XCTAssertEqual(covered, length)
            XCTAssertLessThanOrEqual((sizes.max() ?? 0) - (sizes.min() ?? 0), 1)
        }
    }

    /// RFC 7741 §4.2 descriptor, read back by the RTP module's parser (which the SFU uses for
    /// keyframe detection).
    func testVP8DescriptorParsesBack() {
        var bytes = [UInt8](repeating: 0, count: 8)
        let written = bytes.withUnsafeMutableBytes { VP8Packetizer.writeDescriptor(into: $0.baseAddress!, pictureID: 0x1234, startOfFrame: true) }
        XCTAssertEqual(written, 4)
        XCTAssertEqual(Array(bytes[0..<4]), [0x90, 0x80, 0x92, 0x34])
        bytes[4] = 0x10  // VP8 payload header: P = 0 (keyframe), show_frame
        bytes.withUnsafeBytes { payload in
            XCTAssertEqual(VP8Payload.descriptorLength(payload), 4)
            XCTAssertEqual(VP8Payload.pictureID(payload), 0x1234)
            XCTAssertTrue(VP8Payload.isKeyframe(payload))
        }
        _ = bytes.withUnsafeMutableBytes { VP8Packetizer.writeDescriptor(into: $0.baseAddress!, pictureID: 0xFFFF, startOfFrame: false) }
        XCTAssertEqual(Array(bytes[0..<4]), [0x80, 0x80, 0xFF, 0xFF])
        bytes.withUnsafeBytes { payload in
            XCTAssertEqual(VP8Payload.pictureID(payload), 0x7FFF)
            XCTAssertFalse(VP8Payload.isKeyframe(payload))  // not the start of a frame
        }
    }

    func testOpusTiming() {
        XCTAssertEqual(OpusPacketizer.timestampStep, 960)  // 20 ms at 48 kHz (RFC 7587 §4.1)
        XCTAssertTrue(OpusPacketizer.marker(framesSent: 0))
        XCTAssertFalse(OpusPacketizer.marker(framesSent: 1))
        XCTAssertEqual(AudioLevelExtension.value(level: 30, voiceActivity: true), 0x9E)
        XCTAssertEqual(AudioLevelExtension.value(level: 200, voiceActivity: false), 200 & 0x7F)
    }

    func testClipKeyframeLookupWraps() {
        let clip = EncodedClip(frames: [([1], true), ([2, 2], false), ([3], false), ([4], true), ([5], false)], frameRate: 30)
        XCTAssertEqual(clip.frameCount, 5)
        XCTAssertEqual(clip.offsets, [0, 1, 3, 4, 5])
        XCTAssertEqual(clip.keyframe(atOrAfter: 0), 0)
        XCTAssertEqual(clip.keyframe(atOrAfter: 1), 3)
        XCTAssertEqual(clip.keyframe(atOrAfter: 4), 0)
        XCTAssertEqual(clip.frame(after: 4), 0)
        XCTAssertEqual(clip.bitrate, 6 * 8 * 30 / 5, accuracy: 1e-9)
    }

    func testOpusToneEncodes() throws {
        let clip = try OpusToneEncoder.encode(seconds: 0.2)
        XCTAssertEqual(clip.frameCount, 10)
        XCTAssertEqual(clip.frameRate, 50)
        XCTAssertTrue(clip.lengths.allSatisfy { $0 > 2 && $0 < 400 })
    }

    func testVP8LayersEncodeWithKeyframesAtTheLoopPoint() throws {
        let clips = try VP8SimulcastEncoder.encode(layers: [SimulcastLayerSpec(rid: "q", width: 160, height: 96, bitrate: 100_000)],
                                                   fps: 10, seconds: 2)
        XCTAssertEqual(clips.count, 1)
        let clip = clips[0]
        XCTAssertEqual(clip.frameCount, 20)
        XCTAssertTrue(clip.keyframes[0])
        XCTAssertTrue(clip.keyframes[10])  // one a second
        // The bitstream starts with a VP8 key frame tag and start code (RFC 6386 §9.1).
        XCTAssertEqual(clip.bytes[0] & 0x01, 0)
        XCTAssertEqual(Array(clip.bytes[3..<6]), [0x9D, 0x01, 0x2A])
    }
}
