/// What each simulated room holds (`--profile`).
public enum LoadTestProfile: String, Sendable, CaseIterable {
    /// Two participants per room (a caller and an agent), each publishing Opus and subscribed
    /// to the other: a voice-agent call.
    case voice
    /// `--publishers` participants per room publishing Opus plus three-layer VP8 simulcast,
    /// and `--subscribers` participants that only receive.
    case video
}
