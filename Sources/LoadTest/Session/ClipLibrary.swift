/// The pre-encoded media every simulated publisher replays (encoded once per run).
struct ClipLibrary: Sendable {
    var audio: EncodedClip
    /// One clip per simulcast layer, lowest first; empty for the voice profile.
    var videoLayers: [EncodedClip]
    var layerSpecs: [SimulcastLayerSpec]
}
