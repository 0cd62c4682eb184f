/// Something that wants a copy of a published track's RTP (a recorder): called on the media
/// loop for every packet of the layer it chose, after SRTP decryption. Must not block, and
/// should not hand each packet on by itself: copy it into a batch, and hand the batch on in
/// `flushTaps`, which the shard calls on its next tick (at most 10 ms later) for every tap
/// that started a batch. Only tracks with taps pay anything on the packet path.
public protocol MediaTap: AnyObject {
    /// Copies the packet; returns true if it started a new batch (the shard then schedules a flush).
    func tap(trackID: String, packet: UnsafeRawBufferPointer, arrival: Double) -> Bool
    /// Hands the batch on. On the media loop.
    func flushTaps()
}

/// A tap on one track, following one simulcast layer.
final class TrackTap {
    let sink: MediaTap
    /// The layer recorded (the highest that was active when recording began).
    let layer: Int
    var waitingForKeyframe: Bool

    init(sink: MediaTap, layer: Int, isVideo: Bool) {
        self.sink = sink
        self.layer = layer
        self.waitingForKeyframe = isVideo
    }
}

extension PublishedTrack {
    /// Starts copying this track's packets to `sink` (video from its next keyframe).
    public func addTap(_ sink: MediaTap, now: Double) {
        guard !taps.contains(where: { $0.sink === sink }) else { return }
        let active = activeLayers(now: now)
        let layer = active.lastIndex(of: true) ?? (layers.map(\.index).max() ?? 0)
        taps.append(TrackTap(sink: sink, layer: layer, isVideo: kind == .video))
        if kind == .video { requestKeyframe(layer: layer, now: now, context: publisher.transport.context) }
    }

    /// Stops copying to `sink`, after handing on what it has batched (so whatever the caller
    /// sends the sink next comes after this track's last packets).
    public func removeTap(_ sink: MediaTap) {
        taps.removeAll { $0.sink === sink }
        sink.flushTaps()
    }

    /// e.g. 48000 for Opus, 90000 for video.
    public var clockRate: UInt32 { primaryFormat?.clockRate ?? (kind == .audio ? 48000 : 90000) }
}
