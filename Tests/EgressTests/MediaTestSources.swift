import CMedia
import Foundation
import XCTest
@testable import Egress

/// Real encoders that make test input for the media tests: Opus (libopus), VP8 (libvpx) and H.264 (libx264).
enum MediaTestSources {
    /// 20 ms Opus packets (48 kHz mono) of a sine tone.
    static func opusSine(frequency: Double, seconds: Double, amplitude: Float = 0.3) throws -> [[UInt8]] {
        var error: Int32 = 0
        guard let encoder = opus_encoder_create(48_000, 1, OPUS_APPLICATION_AUDIO, &error), error == OPUS_OK else {
            throw MediaError.opus(error)
        }
        defer { opus_encoder_destroy(encoder) }
        _ = cmedia_opus_encoder_set_bitrate(encoder, 64_000)
        var packets: [[UInt8]] = []
        var pcm = [Float](repeating: 0, count: 960)
        var output = [UInt8](repeating: 0, count: 4_000)
        let count = Int((seconds / 0.02).rounded())
        for p in 0..<count {
            for i in 0..<960 {
                let n = Double(p * 960 + i)
                pcm[i] = amplitude * Float(sin(2 * Double.pi * frequency * n / 48_000))
            }
            let length = opus_encode_float(encoder, pcm, 960, &output, Int32(output.count))
            guard length > 0 else { throw MediaError.opus(length) }
            packets.append(Array(output[0..<Int(length)]))
        }
        return packets
    }

    /// Encoded frames (data, isKeyframe) of a video through a libavcodec encoder ("libvpx" or "libx264").
    /// `paint(index, frame)` fills each yuv420p picture.
    static func video(encoder name: String, width: Int, height: Int, fps: Int, frames: Int,
                      paint: (Int, UnsafeMutablePointer<AVFrame>) -> Void) throws -> [(data: [UInt8], isKeyframe: Bool)] {
        guard let codec = avcodec_find_encoder_by_name(name) else { throw MediaError.unsupported(name) }
        var context = avcodec_alloc_context3(codec)
        defer { avcodec_free_context(&context) }
        guard let context else { throw MediaError.notConfigured }
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.time_base = AVRational(num: 1, den: Int32(fps))
        context.pointee.framerate = AVRational(num: Int32(fps), den: 1)
        context.pointee.gop_size = Int32(fps * 2)
        context.pointee.max_b_frames = 0
        context.pointee.bit_rate = 500_000
        context.pointee.thread_count = 1
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        if name == "libx264" {
            av_dict_set(&options, "preset", "ultrafast", 0)
            av_dict_set(&options, "tune", "zerolatency", 0)
        } else {
            av_dict_set(&options, "deadline", "realtime", 0)
            av_dict_set(&options, "cpu-used", "8", 0)
            av_dict_set(&options, "lag-in-frames", "0", 0)
        }
        try LibAV.check(avcodec_open2(context, codec, &options), "open \(name)")
        var frame = av_frame_alloc()
        var packet = av_packet_alloc()
        defer { av_frame_free(&frame); av_packet_free(&packet) }
        guard let frame, let packet else { throw MediaError.notConfigured }
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        try LibAV.check(av_frame_get_buffer(frame, 0), "frame buffer")
        var out: [(data: [UInt8], isKeyframe: Bool)] = []
        func drain() throws {
            while avcodec_receive_packet(context, packet) >= 0 {
                out.append((Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size))),
                            packet.pointee.flags & AV_PKT_FLAG_KEY != 0))
                av_packet_unref(packet)
            }
        }
        for index in 0..<frames {
            try LibAV.check(av_frame_make_writable(frame), "writable")
            paint(index, frame)
            frame.pointee.pts = Int64(index)
            try LibAV.check(avcodec_send_frame(context, frame), "send frame")
            try drain()
        }
        _ = avcodec_send_frame(context, nil)
        try drain()
        return out
    }

    /// Paints a whole yuv420p picture one colour.
    static func solid(y: UInt8, u: UInt8, v: UInt8) -> (Int, UnsafeMutablePointer<AVFrame>) -> Void {
        return { _, frame in
            for (plane, value) in [y, u, v].enumerated() {
                let rows = plane == 0 ? Int(frame.pointee.height) : Int(frame.pointee.height) / 2
                let base = cmedia_frame_data(frame, Int32(plane))!
                let stride = Int(cmedia_frame_linesize(frame, Int32(plane)))
                for row in 0..<rows { (base + row * stride).update(repeating: value, count: stride) }
            }
        }
    }

    /// A moving gradient with texture, closer to camera content than a solid colour.
    static func moving(_ index: Int, _ frame: UnsafeMutablePointer<AVFrame>) {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        for plane in 0..<3 {
            let shift = plane == 0 ? 0 : 1
            let base = cmedia_frame_data(frame, Int32(plane))!
            let stride = Int(cmedia_frame_linesize(frame, Int32(plane)))
            for row in 0..<(height >> shift) {
                for column in 0..<(width >> shift) {
                    let value = plane == 0 ? (column * 2 + row + index * 4 + (row * column) % 7) : (128 + ((column + index) % 32) - 16)
                    base[row * stride + column] = UInt8(truncatingIfNeeded: value)
                }
            }
        }
    }

    // BT.601 limited-range YUV of the test colours.
    static let red: (y: UInt8, u: UInt8, v: UInt8) = (81, 90, 240)
    static let blue: (y: UInt8, u: UInt8, v: UInt8) = (41, 240, 110)
}

/// Runs ffprobe / ffmpeg.
enum MediaTool {
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: Data, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errorData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data, String(decoding: errorData, as: UTF8.self))
    }

    /// ffprobe's streams and format of a file as JSON objects.
    static func probe(_ path: String) throws -> (streams: [[String: Any]], format: [String: Any]) {
        let result = try run("ffprobe", ["-v", "error", "-show_streams", "-show_format", "-of", "json", path])
        guard result.status == 0, let json = try JSONSerialization.jsonObject(with: result.output) as? [String: Any] else {
            throw MediaError.unsupported("ffprobe failed: \(result.error)")
        }
        return (json["streams"] as? [[String: Any]] ?? [], json["format"] as? [String: Any] ?? [:])
    }

    /// Decoded audio as mono 48 kHz Int16 samples.
    static func decodeAudio(_ path: String) throws -> [Int16] {
        let result = try run("ffmpeg", ["-v", "error", "-i", path, "-f", "s16le", "-ac", "1", "-ar", "48000", "-"])
        guard result.status == 0 else { throw MediaError.unsupported("ffmpeg audio: \(result.error)") }
        return result.output.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
    }

    /// One decoded frame at `seconds` as packed RGB24.
    static func decodeFrame(_ path: String, at seconds: Double) throws -> [UInt8] {
        let result = try run("ffmpeg", ["-v", "error", "-ss", String(seconds), "-i", path, "-frames:v", "1",
                                        "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        guard result.status == 0 else { throw MediaError.unsupported("ffmpeg video: \(result.error)") }
        return [UInt8](result.output)
    }

    /// Relative power of `frequency` in `samples` (Goertzel), normalised by the signal energy.
    static func tonePower(_ samples: ArraySlice<Int16>, frequency: Double, sampleRate: Double = 48_000) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / sampleRate)
        var s1 = 0.0, s2 = 0.0, energy = 0.0
        for sample in samples {
            let x = Double(sample) / 32768
            energy += x * x
            let s0 = x + coefficient * s1 - s2
            s2 = s1
            s1 = s0
        }
        let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2
        return energy > 0 ? power / (energy * Double(samples.count)) : 0
    }

    static func temporaryPath(_ name: String) -> String {
        let directory = NSTemporaryDirectory() + "egress-media-tests"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name
        try? FileManager.default.removeItem(atPath: path)
        return path
    }
}
