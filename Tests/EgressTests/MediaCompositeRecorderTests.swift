import CMedia
import Foundation
import XCTest
@testable import Egress

final class MediaCompositeRecorderTests: XCTestCase {
    /// Feeds 3 s of two Opus tracks (440 Hz, 1 kHz), a red VP8 track and a blue H.264 track, in time order,
    /// advancing the recorder every 50 ms as a live egress would.
    private func recordRoom(path: String, seconds: Double = 3) throws -> (recorder: CompositeRecorder, result: (duration: Double, size: Int)) {
        let tone440 = try MediaTestSources.opusSine(frequency: 440, seconds: seconds)
        let tone1k = try MediaTestSources.opusSine(frequency: 1_000, seconds: seconds)
        let videoFrames = Int(seconds * 30)
        let red = try MediaTestSources.video(encoder: "libvpx", width: 320, height: 240, fps: 30, frames: videoFrames,
                                             paint: MediaTestSources.solid(y: 81, u: 90, v: 240))
        let blue = try MediaTestSources.video(encoder: "libx264", width: 320, height: 240, fps: 30, frames: videoFrames,
                                              paint: MediaTestSources.solid(y: 41, u: 240, v: 110))
        XCTAssertEqual(red.count, videoFrames)
        XCTAssertEqual(blue.count, videoFrames)

        var frames: [EncodedFrame] = []
        for (i, packet) in tone440.enumerated() {
            frames.append(EncodedFrame(trackID: "a1", codec: .opus, data: packet, timestamp: Double(i) * 0.02, isKeyframe: true))
        }
        for (i, packet) in tone1k.enumerated() {
            frames.append(EncodedFrame(trackID: "a2", codec: .opus, data: packet, timestamp: Double(i) * 0.02, isKeyframe: true))
        }
        for (i, frame) in red.enumerated() {
            frames.append(EncodedFrame(trackID: "v1", codec: .vp8, data: frame.data, timestamp: Double(i) / 30, isKeyframe: frame.isKeyframe))
        }
        for (i, frame) in blue.enumerated() {
            frames.append(EncodedFrame(trackID: "v2", codec: .h264, data: frame.data, timestamp: Double(i) / 30, isKeyframe: frame.isKeyframe))
        }
        frames.sort { $0.timestamp < $1.timestamp }

        let recorder = try CompositeRecorder(configuration: CompositeConfiguration(outputPath: path))
        try recorder.addTrack(id: "a1", kind: .audio, codec: .opus)
        try recorder.addTrack(id: "a2", kind: .audio, codec: .opus)
        try recorder.addTrack(id: "v1", kind: .video, codec: .vp8)
        try recorder.addTrack(id: "v2", kind: .video, codec: .h264)
        var clock = 0.05
        for frame in frames {
            while frame.timestamp > clock {
                try recorder.advance(to: clock - 0.04)  // jitter allowance behind the newest input
                clock += 0.05
            }
            try recorder.push(frame)
        }
        try recorder.advance(to: seconds)
        let result = try recorder.finish()
        XCTAssertEqual(recorder.decodeErrors, 0)
        return (recorder, result)
    }

    func testCompositeMP4HasH264AACAt15FPSWithBothTonesAndBothTiles() throws {
        let path = MediaTool.temporaryPath("composite.mp4")
        let (recorder, result) = try recordRoom(path: path)
        XCTAssertEqual(recorder.framesWritten, 45)
        XCTAssertEqual(result.duration, 3, accuracy: 0.01)
        XCTAssertGreaterThan(result.size, 10_000)
        XCTAssertEqual(result.size, (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1)

        let probe = try MediaTool.probe(path)
        let video = try XCTUnwrap(probe.streams.first { $0["codec_type"] as? String == "video" })
        let audio = try XCTUnwrap(probe.streams.first { $0["codec_type"] as? String == "audio" })
        XCTAssertEqual(video["codec_name"] as? String, "h264")
        XCTAssertEqual(video["avg_frame_rate"] as? String, "15/1")
        XCTAssertEqual(video["width"] as? Int, 1280)
        XCTAssertEqual(video["height"] as? Int, 720)
        XCTAssertEqual(video["pix_fmt"] as? String, "yuv420p")
        XCTAssertEqual(audio["codec_name"] as? String, "aac")
        XCTAssertEqual(audio["sample_rate"] as? String, "48000")
        XCTAssertEqual(audio["channels"] as? Int, 2)
        let duration = Double(probe.format["duration"] as? String ?? "") ?? -1
        XCTAssertEqual(duration, 3, accuracy: 0.2, "format duration \(duration)")

        // Both tones in the middle second of the mix, and not an unrelated frequency.
        let samples = try MediaTool.decodeAudio(path)
        XCTAssertEqual(Double(samples.count) / 48_000, 3, accuracy: 0.2)
        let middle = samples[48_000..<96_000]
        let p440 = MediaTool.tonePower(middle, frequency: 440)
        let p1k = MediaTool.tonePower(middle, frequency: 1_000)
        let p700 = MediaTool.tonePower(middle, frequency: 700)
        XCTAssertGreaterThan(p440, 0.1, "440 Hz power \(p440)")
        XCTAssertGreaterThan(p1k, 0.1, "1 kHz power \(p1k)")
        XCTAssertLessThan(p700, 0.01, "700 Hz power \(p700)")

        // Two tiles side by side: red picture on the left, blue on the right, each letterboxed (black above).
        let rgb = try MediaTool.decodeFrame(path, at: 2)
        XCTAssertEqual(rgb.count, 1280 * 720 * 3)
        func pixel(_ x: Int, _ y: Int) -> (Int, Int, Int) {
            let i = (y * 1280 + x) * 3
            return (Int(rgb[i]), Int(rgb[i + 1]), Int(rgb[i + 2]))
        }
        let left = pixel(320, 360), right = pixel(960, 360), top = pixel(320, 40)
        XCTAssertTrue(left.0 > 200 && left.1 < 60 && left.2 < 60, "left tile \(left)")
        XCTAssertTrue(right.0 < 60 && right.1 < 60 && right.2 > 200, "right tile \(right)")
        XCTAssertTrue(top.0 < 40 && top.1 < 40 && top.2 < 40, "letterbox \(top)")
    }

    func testTruncatedCompositeIsStillReadable() throws {
        let path = MediaTool.temporaryPath("composite-crash.mp4")
        _ = try recordRoom(path: path, seconds: 5)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncatedPath = MediaTool.temporaryPath("composite-truncated.mp4")
        try data.prefix(data.count * 2 / 3).write(to: URL(fileURLWithPath: truncatedPath))
        let probe = try MediaTool.probe(truncatedPath)
        XCTAssertTrue(probe.streams.contains { $0["codec_name"] as? String == "h264" })
        XCTAssertTrue(probe.streams.contains { $0["codec_name"] as? String == "aac" })
        let counted = try MediaTool.run("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0",
                                                    "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", truncatedPath])
        let decodedFrames = Int(String(decoding: counted.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThanOrEqual(decodedFrames, 30, "frames readable after truncation")
    }

    func testAudioOnlyCompositeHasOnlyAAC() throws {
        let path = MediaTool.temporaryPath("audio-only.mp4")
        var configuration = CompositeConfiguration(outputPath: path)
        configuration.audioOnly = true
        let recorder = try CompositeRecorder(configuration: configuration)
        try recorder.addTrack(id: "a", kind: .audio, codec: .opus)
        try recorder.addTrack(id: "v", kind: .video, codec: .vp8)  // ignored in an audio-only recording
        for (i, packet) in try MediaTestSources.opusSine(frequency: 440, seconds: 2).enumerated() {
            try recorder.push(EncodedFrame(trackID: "a", codec: .opus, data: packet, timestamp: Double(i) * 0.02, isKeyframe: true))
            try recorder.advance(to: Double(i) * 0.02)
        }
        try recorder.advance(to: 2)
        let result = try recorder.finish()
        XCTAssertEqual(result.duration, 2, accuracy: 0.01)
        XCTAssertEqual(recorder.framesWritten, 0)
        let probe = try MediaTool.probe(path)
        XCTAssertEqual(probe.streams.count, 1)
        XCTAssertEqual(probe.streams.first?["codec_name"] as? String, "aac")
        XCTAssertEqual(Double(probe.format["duration"] as? String ?? "") ?? -1, 2, accuracy: 0.2)
    }

    func testSilenceAndPlaceholderFillAGapAndUnknownTracksThrow() throws {
        let path = MediaTool.temporaryPath("gaps.mp4")
        let recorder = try CompositeRecorder(configuration: CompositeConfiguration(outputPath: path))
        try recorder.addTrack(id: "a", kind: .audio, codec: .opus)
        try recorder.addTrack(id: "v", kind: .video, codec: .vp8)
        XCTAssertThrowsError(try recorder.push(EncodedFrame(trackID: "nope", codec: .opus, data: [1], timestamp: 0, isKeyframe: true)))
        XCTAssertThrowsError(try recorder.addTrack(id: "x", kind: .audio, codec: .vp8))
        // Garbage input is counted and skipped, never fatal.
        try recorder.push(EncodedFrame(trackID: "v", codec: .vp8, data: [0, 1, 2, 3], timestamp: 0, isKeyframe: true))
        try recorder.push(EncodedFrame(trackID: "a", codec: .opus, data: [], timestamp: 0, isKeyframe: true))
        XCTAssertEqual(recorder.decodeErrors, 2)
        // Tone only during the second half second of one second: the first half is silence.
        for (i, packet) in try MediaTestSources.opusSine(frequency: 440, seconds: 0.5).enumerated() {
            try recorder.push(EncodedFrame(trackID: "a", codec: .opus, data: packet, timestamp: 0.5 + Double(i) * 0.02, isKeyframe: true))
        }
        recorder.setMuted(id: "v", muted: true)
        try recorder.advance(to: 1)
        recorder.removeTrack(id: "v")
        _ = try recorder.finish()
        XCTAssertThrowsError(try recorder.advance(to: 2))
        let samples = try MediaTool.decodeAudio(path)
        let early = samples[2_400..<19_200].map { abs(Int($0)) }.max() ?? 0
        let late = samples[28_800..<45_600].map { abs(Int($0)) }.max() ?? 0
        XCTAssertLessThan(early, 200, "first half should be silent")
        XCTAssertGreaterThan(late, 3_000, "second half holds the tone")
        let rgb = try MediaTool.decodeFrame(path, at: 0.5)
        let center = (360 * 1280 + 640) * 3
        XCTAssertLessThan(Int(rgb[center]), 70, "muted track shows a dark placeholder")
    }

    func testTracksJoiningAndLeavingMidRecordingReflowTheGrid() throws {
        let path = MediaTool.temporaryPath("join-leave.mp4")
        let red = try MediaTestSources.video(encoder: "libvpx", width: 320, height: 180, fps: 15, frames: 45,
                                             paint: MediaTestSources.solid(y: 81, u: 90, v: 240))
        let blue = try MediaTestSources.video(encoder: "libx264", width: 320, height: 180, fps: 15, frames: 15,
                                              paint: MediaTestSources.solid(y: 41, u: 240, v: 110))
        let recorder = try CompositeRecorder(configuration: CompositeConfiguration(outputPath: path))
        try recorder.addTrack(id: "red", kind: .video, codec: .vp8)
        for i in 0..<45 {
            let t = Double(i) / 15
            if i == 15 { try recorder.addTrack(id: "blue", kind: .video, codec: .h264) }
            if i == 30 { recorder.removeTrack(id: "blue") }
            try recorder.push(EncodedFrame(trackID: "red", codec: .vp8, data: red[i].data, timestamp: t, isKeyframe: red[i].isKeyframe))
            if (15..<30).contains(i) {
                let frame = blue[i - 15]
                try recorder.push(EncodedFrame(trackID: "blue", codec: .h264, data: frame.data, timestamp: t, isKeyframe: frame.isKeyframe))
            }
            try recorder.advance(to: t + 1.0 / 15)
        }
        XCTAssertThrowsError(try recorder.push(EncodedFrame(trackID: "blue", codec: .h264, data: blue[0].data, timestamp: 3, isKeyframe: true)))
        let result = try recorder.finish()
        XCTAssertEqual(result.duration, 3, accuracy: 0.01)
        func color(_ rgb: [UInt8], _ x: Int, _ y: Int) -> (Int, Int, Int) {
            let i = (y * 1280 + x) * 3
            return (Int(rgb[i]), Int(rgb[i + 1]), Int(rgb[i + 2]))
        }
        let alone = try MediaTool.decodeFrame(path, at: 0.5)
        XCTAssertGreaterThan(color(alone, 1100, 360).0, 200, "one track fills the canvas")
        let pair = try MediaTool.decodeFrame(path, at: 1.5)
        XCTAssertGreaterThan(color(pair, 320, 360).0, 200, "red on the left")
        XCTAssertGreaterThan(color(pair, 960, 360).2, 200, "blue on the right")
        let again = try MediaTool.decodeFrame(path, at: 2.5)
        XCTAssertGreaterThan(color(again, 1100, 360).0, 200, "after blue left, red fills the canvas again")
    }
}
