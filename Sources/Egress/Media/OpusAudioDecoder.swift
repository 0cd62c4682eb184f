import CMedia

/// Opus (RFC 6716) decoder over libopus: always 48 kHz stereo, interleaved Float32.
final class OpusAudioDecoder {
    static let sampleRate = 48_000
    static let channels = 2
    /// Longest Opus packet: 120 ms (RFC 6716 §3.2.1).
    static let maxFrameSamples = 5_760

    private let decoder: OpaquePointer
    private var output: [Float]

    init() throws(MediaError) {
        var error: Int32 = 0
        guard let decoder = opus_decoder_create(Int32(Self.sampleRate), Int32(Self.channels), &error), error == OPUS_OK else {
            throw MediaError.opus(error)
        }
        self.decoder = decoder
        output = [Float](repeating: 0, count: Self.maxFrameSamples * Self.channels)
    }

    deinit { opus_decoder_destroy(decoder) }

    /// Decodes one packet and hands its interleaved stereo samples to `body` (valid only during the call).
    func decode<R>(_ packet: [UInt8], _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        guard !packet.isEmpty, packet.count <= 1_275 * 3 else { throw MediaError.opus(OPUS_INVALID_PACKET) }
        let decoded = packet.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                opus_decode_float(decoder, input.baseAddress, Int32(input.count), out.baseAddress!, Int32(Self.maxFrameSamples), 0)
            }
        }
        guard decoded >= 0 else { throw MediaError.opus(decoded) }
        return try output.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<Int(decoded) * Self.channels])) }
    }
}
