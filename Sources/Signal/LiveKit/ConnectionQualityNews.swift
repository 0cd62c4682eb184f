/// Whether a room's `ConnectionQualityUpdate` says anything new, as LiveKit decides it: a
/// participant that was not in the last update sent, or one whose rating moved. Scores alone
/// do not count, and a participant that left is not news (its `ParticipantUpdate` says so).
enum ConnectionQualityNews {
    static func isNews(previous: [String: Livekit_ConnectionQuality],
                       current: [String: Livekit_ConnectionQuality]) -> Bool {
        current.contains { sid, rating in previous[sid] != rating }
    }
}
