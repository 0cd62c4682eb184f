/// A media stream identification `a=msid:<stream id> [<track id>]` (RFC 8830 §2).
public struct MSID: Sendable, Equatable {
    /// The MediaStream id; `-` means "no stream".
    public var streamId: String
    /// The track id ("appdata"); empty when the attribute carries none.
    public var trackId: String

    public init(streamId: String, trackId: String) {
        self.streamId = streamId
        self.trackId = trackId
    }

    public static func parse(_ text: String) -> MSID? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        return MSID(streamId: String(parts[0]), trackId: parts.count == 2 ? String(parts[1]) : "")
    }

    public var sdpValue: String { trackId.isEmpty ? streamId : "\(streamId) \(trackId)" }
}
