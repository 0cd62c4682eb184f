/// Aligns each track's RTP clock to one recording clock (seconds since the recording started)
/// using arrival times. The first frame of a track anchors its RTP time to its arrival; later frames
/// follow the RTP clock, so network jitter does not move them (RFC 3550 §6.4.1 uses the RTP clock
/// for the same reason), but when the RTP-predicted time and the arrival time drift apart by more
/// than `maxDrift` (a stream restart, a long mute with a frozen RTP clock) the track re-anchors.
/// A re-anchor never moves a track's time backwards past its last returned time.
public struct RecordingClock: Sendable {
    public let start: Double
    /// Drift (seconds) between RTP-predicted time and arrival time that triggers a re-anchor.
    public var maxDrift: Double = 1.0

    private struct Anchor: Sendable {
        /// recording time = rtpSeconds + offset
        var offset: Double
        var lastTime: Double
    }

    private var anchors: [String: Anchor] = [:]

    public init(start: Double) {
        self.start = start
    }

    /// Recording time (seconds since `start`) of a frame at `rtpSeconds` on the track's own clock
    /// that arrived at `arrival` (same clock as `start`).
    public mutating func time(trackID: String, rtpSeconds: Double, arrival: Double) -> Double {
        let arrived = arrival - start
        guard var anchor = anchors[trackID] else {
            anchors[trackID] = Anchor(offset: arrived - rtpSeconds, lastTime: arrived)
            return arrived
        }
        var t = rtpSeconds + anchor.offset
        if !t.isFinite || abs(t - arrived) > maxDrift {
            t = max(arrived, anchor.lastTime)
            anchor.offset = t - rtpSeconds
        }
        anchor.lastTime = t
        anchors[trackID] = anchor
        return t
    }

    /// Forgets a track (removed); its next frame anchors afresh.
    public mutating func removeTrack(_ trackID: String) {
        anchors[trackID] = nil
    }
}
