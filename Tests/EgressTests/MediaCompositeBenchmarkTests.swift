import Foundation
import XCTest
@testable import Egress

/// Cost of one 4-participant 1280×720 15 fps composite (issue 5 benchmark; figures go into the issue note).
/// Prints CPU seconds per second of output and peak RSS; asserts only that the recording completes.
/// Input: 4 Opus tracks and 4 VP8 640×360 30 fps tracks of moving texture, pre-encoded (encoding not counted).
/// Run in release for real figures, optionally comparing x264 presets:
/// `EGRESS_BENCH_PRESETS=veryfast,superfast,ultrafast swift test -c release --filter MediaCompositeBenchmarkTests`.
final class MediaCompositeBenchmarkTests: XCTestCase {
    func testFourParticipantCompositeCost() throws {
        let seconds = 10.0
        let video = try MediaTestSources.video(encoder: "libvpx", width: 640, height: 360, fps: 30, frames: Int(seconds * 30),
                                               paint: MediaTestSources.moving)
        let audio = try MediaTestSources.opusSine(frequency: 440, seconds: seconds)
        var frames: [EncodedFrame] = []
        for participant in 0..<4 {
            for (i, packet) in audio.enumerated() {
                frames.append(EncodedFrame(trackID: "a\(participant)", codec: .opus, data: packet, timestamp: Double(i) * 0.02, isKeyframe: true))
            }
            for (i, frame) in video.enumerated() {
                frames.append(EncodedFrame(trackID: "v\(participant)", codec: .vp8, data: frame.data, timestamp: Double(i) / 30, isKeyframe: frame.isKeyframe))
            }
        }
        frames.sort { $0.timestamp < $1.timestamp }

        let presets = ProcessInfo.processInfo.environment["EGRESS_BENCH_PRESETS"]?.split(separator: ",").map(String.init)
            ?? [CompositeConfiguration(outputPath: "").x264Preset]
        for preset in presets {
            let path = MediaTool.temporaryPath("benchmark-\(preset).mp4")
            var configuration = CompositeConfiguration(outputPath: path)
            configuration.x264Preset = preset
            let before = Self.usage()
            let rssBefore = Self.residentMB()
            var rssPeak = rssBefore
            let recorder = try CompositeRecorder(configuration: configuration)
            for participant in 0..<4 {
                try recorder.addTrack(id: "a\(participant)", kind: .audio, codec: .opus)
                try recorder.addTrack(id: "v\(participant)", kind: .video, codec: .vp8)
            }
            var clock = 0.05
            for frame in frames {
                while frame.timestamp > clock {
                    try recorder.advance(to: clock - 0.04)
                    clock += 0.05
                    if Int(clock * 20) % 20 == 0 { rssPeak = max(rssPeak, Self.residentMB()) }
                }
                try recorder.push(frame)
            }
            try recorder.advance(to: seconds)
            let result = try recorder.finish()
            let after = Self.usage()
            XCTAssertEqual(recorder.framesWritten, Int(seconds * 15))
            let cpu = after.cpu - before.cpu
            print(String(format: "egress composite benchmark [%@]: 4 participants, 1280x720 @ 15 fps, %.0f s output: CPU %.3f s = %.3f core; recorder RSS growth %.1f MB; process peak RSS %.1f MB; file %d bytes",
                         preset, result.duration, cpu, cpu / result.duration, rssPeak - rssBefore, after.maxRSSMB, result.size))
        }
    }

    /// Current resident set size (VmRSS of /proc/self/status) in MB.
    private static func residentMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1024
    }

    private static func usage() -> (cpu: Double, maxRSSMB: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return (cpu, Double(usage.ru_maxrss) / 1024)
    }
}
