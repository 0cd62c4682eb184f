import SFU

/// A track a recorder receives.
public struct RecordedTrack: Sendable, Equatable {
    public var trackID: String
    public var participantIdentity: String
    public var isVideo: Bool
    /// e.g. `audio/opus`, `video/VP8`, `video/H264`.
    public var mimeType: String
    public var clockRate: UInt32
}

/// A recording attached to a room (egress): told which tracks exist and gets their RTP through
/// `MediaTap`. Called on the media loop.
public protocol RoomRecorder: MediaTap, Sendable {
    /// The egress id: its `egress_ended` tells the room the recording is complete.
    var recordingID: String { get }
    func trackAdded(_ track: RecordedTrack)
    func trackRemoved(trackID: String)
    func trackMuted(trackID: String, muted: Bool)
    /// The room finished: the recording must end.
    func roomFinished()
}

/// Which tracks of the room a recorder wants.
struct RecorderAttachment {
    let recorder: RoomRecorder
    /// nil = every track (room composite); else one track (track egress).
    let trackID: String?
    var tracks: Set<String> = []

    func wants(_ trackID: String) -> Bool { self.trackID == nil || self.trackID == trackID }
}
