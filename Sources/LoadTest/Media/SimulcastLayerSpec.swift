/// One simulcast layer (RFC 8853 stream) of the test video.
public struct SimulcastLayerSpec: Sendable, Equatable {
    /// LiveKit's RIDs: q (low), h (medium), f (high).
    public var rid: String
    public var width: Int
    public var height: Int
    public var bitrate: Int

    /// LiveKit's default camera presets for three layers (h180, h360, h720).
    public static let standard: [SimulcastLayerSpec] = [
        SimulcastLayerSpec(rid: "q", width: 320, height: 180, bitrate: 160_000),
        SimulcastLayerSpec(rid: "h", width: 640, height: 360, bitrate: 450_000),
        SimulcastLayerSpec(rid: "f", width: 1280, height: 720, bitrate: 1_700_000),
    ]
}
