import CMedia
import Foundation

/// Pre-encodes a sine tone with libopus: 48 kHz mono, 20 ms frames (RFC 7587 §4.2 packs one
/// such frame per RTP packet).
public enum OpusToneEncoder {
    public enum Failure: Error, CustomStringConvertible {
        case opus(Int32)
        public var description: String {
            switch self { case .opus(let code): return "libopus error \(code)" }
        }
    }

    public static let sampleRate = 48_000
    public static let samplesPerFrame = 960

    public static func encode(frequency: Double = 440, seconds: Double = 2, bitrate: Int32 = 32_000) throws -> EncodedClip {
        var error: Int32 = 0
        guard let encoder = opus_encoder_create(Int32(sampleRate), 1, OPUS_APPLICATION_VOIP, &error), error == OPUS_OK else {
            throw Failure.opus(error)
        }
        defer { opus_encoder_destroy(encoder) }
        _ = cmedia_opus_encoder_set_bitrate(encoder, bitrate)
        var pcm = [Float](repeating: 0, count: samplesPerFrame)
        var output = [UInt8](repeating: 0, count: 1_500)
        var frames: [(data: [UInt8], isKeyframe: Bool)] = []
        let count = max(1, Int((seconds * Double(sampleRate) / Double(samplesPerFrame)).rounded()))
        for frame in 0..<count {
            for i in 0..<samplesPerFrame {
                let n = Double(frame * samplesPerFrame + i)
                pcm[i] = 0.3 * Float(sin(2 * Double.pi * frequency * n / Double(sampleRate)))
            }
            let length = opus_encode_float(encoder, pcm, Int32(samplesPerFrame), &output, Int32(output.count))
            guard length > 0 else { throw Failure.opus(length) }
            frames.append((Array(output[0..<Int(length)]), true))
        }
        return EncodedClip(frames: frames, frameRate: Double(sampleRate) / Double(samplesPerFrame))
    }
}
