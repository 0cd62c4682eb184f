import Foundation
import XCTest
@testable import Egress

final class MediaTrackRecorderTests: XCTestCase {
    func testOpusTrackBecomesOggWithTheRecordedDuration() throws {
        let path = MediaTool.temporaryPath("track.ogg")
        let recorder = try TrackRecorder(codec: .opus, outputPath: path)
        // Starts 7 s into the recording clock: the file still starts at 0 and lasts the 3 s recorded.
        for (i, packet) in try MediaTestSources.opusSine(frequency: 440, seconds: 3).enumerated() {
            let jitter = i % 3 == 1 ? 0.001 : 0  // timestamp jitter must not stretch the file
            try recorder.push(EncodedFrame(trackID: "a", codec: .opus, data: packet, timestamp: 7 + Double(i) * 0.02 + jitter, isKeyframe: true))
        }
        let result = try recorder.finish()
        XCTAssertEqual(result.duration, 3, accuracy: 0.01)
        let probe = try MediaTool.probe(path)
        XCTAssertEqual(probe.format["format_name"] as? String, "ogg")
        XCTAssertEqual(probe.streams.first?["codec_name"] as? String, "opus")
        XCTAssertEqual(Double(probe.format["duration"] as? String ?? "") ?? -1, 3, accuracy: 0.1)
        XCTAssertEqual(result.size, (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1)
        let samples = try MediaTool.decodeAudio(path)
        XCTAssertEqual(Double(samples.count) / 48_000, 3, accuracy: 0.1)
        XCTAssertGreaterThan(MediaTool.tonePower(samples[24_000..<72_000], frequency: 440), 0.3)
    }

    func testVP8TrackBecomesWebMStartingAtTheFirstKeyframe() throws {
        let path = MediaTool.temporaryPath("track.webm")
        let frames = try MediaTestSources.video(encoder: "libvpx", width: 320, height: 240, fps: 30, frames: 60,
                                                paint: MediaTestSources.moving)
        let recorder = try TrackRecorder(codec: .vp8, outputPath: path)
        // A delta frame before any keyframe is dropped.
        try recorder.push(EncodedFrame(trackID: "v", codec: .vp8, data: frames[1].data, timestamp: 0, isKeyframe: false))
        for (i, frame) in frames.enumerated() {
            try recorder.push(EncodedFrame(trackID: "v", codec: .vp8, data: frame.data, timestamp: 1 + Double(i) / 30, isKeyframe: frame.isKeyframe))
        }
        let result = try recorder.finish()
        XCTAssertEqual(result.duration, 59.0 / 30, accuracy: 0.01)
        let probe = try MediaTool.probe(path)
        XCTAssertEqual(probe.streams.first?["codec_name"] as? String, "vp8")
        XCTAssertEqual(probe.streams.first?["width"] as? Int, 320)
        XCTAssertEqual(probe.streams.first?["height"] as? Int, 240)
        let counted = try MediaTool.run("ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path])
        XCTAssertEqual(String(decoding: counted.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "60")
    }

    func testH264TrackBecomesMP4() throws {
        let path = MediaTool.temporaryPath("track.mp4")
        let frames = try MediaTestSources.video(encoder: "libx264", width: 320, height: 240, fps: 30, frames: 60,
                                                paint: MediaTestSources.moving)
        let recorder = try TrackRecorder(codec: .h264, outputPath: path)
        for (i, frame) in frames.enumerated() {
            try recorder.push(EncodedFrame(trackID: "v", codec: .h264, data: frame.data, timestamp: Double(i) / 30, isKeyframe: frame.isKeyframe))
        }
        _ = try recorder.finish()
        let probe = try MediaTool.probe(path)
        XCTAssertEqual(probe.streams.first?["codec_name"] as? String, "h264")
        XCTAssertEqual(probe.streams.first?["width"] as? Int, 320)
        XCTAssertEqual(probe.streams.first?["height"] as? Int, 240)
        let decoded = try MediaTool.run("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
        XCTAssertEqual(decoded.status, 0)
        XCTAssertEqual(decoded.error, "", "decode errors: \(decoded.error)")
        let counted = try MediaTool.run("ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path])
        XCTAssertEqual(String(decoding: counted.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), "60")
    }

    func testMisuseThrows() throws {
        XCTAssertThrowsError(try TrackRecorder(codec: .av1, outputPath: MediaTool.temporaryPath("x.av1")))
        let path = MediaTool.temporaryPath("empty.ogg")
        let recorder = try TrackRecorder(codec: .opus, outputPath: path)
        XCTAssertThrowsError(try recorder.push(EncodedFrame(trackID: "v", codec: .vp8, data: [1, 2, 3], timestamp: 0, isKeyframe: true)))
        XCTAssertThrowsError(try recorder.finish()) { XCTAssertEqual($0 as? MediaError, .notConfigured) }
        XCTAssertThrowsError(try recorder.push(EncodedFrame(trackID: "a", codec: .opus, data: [0xfc], timestamp: 0, isKeyframe: true)))
    }
}
