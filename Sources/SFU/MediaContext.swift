import Logging
import NIOCore
import DTLS

/// What every object on the media loop shares: counters, logger, the router, the DTLS
/// certificate, and test-only fault injection. Confined to the media event loop.
final class MediaContext {
    var counters = MediaCounters()
    let logger: Logger
    let certificate: DTLSCertificate
    weak var router: MediaRouter?
    /// Test-only: percentage of RTP dropped on arrival from publishers / on the way to subscribers.
    let inboundLoss: Double
    let outboundLoss: Double
    /// Our ICE candidates as SDP values (one host candidate on the media port).
    var localCandidates: [String] = []
    /// The media loop, for hopping back from other threads (usrsctp).
    var loop: EventLoop?
    /// Visit this peer on the next tick (its timer cadence got shorter); set by the shard.
    var wakePeer: ((PeerConnection) -> Void)?
    /// Recording taps that started a batch since the last tick (`MediaTap.flushTaps`).
    var tapsToFlush: [MediaTap] = []
    /// Wake the shard on its next tick (a tap started a batch while the shard's timer may be
    /// armed for later); set by the shard.
    var wakeForTaps: (() -> Void)?
    /// Audio tracks that carried an RFC 6464 level since the room host last asked
    /// (`MediaShard.roomsWithFreshAudioLevels`): each is queued once, by its first level, with
    /// its room's name taken then (the publisher may be gone by the time the host asks).
    var leveledTracks: [(track: PublishedTrack, room: String)] = []

    func queueTapFlush(_ tap: MediaTap) {
        if tapsToFlush.isEmpty { wakeForTaps?() }
        tapsToFlush.append(tap)
    }

    /// The rooms of the tracks in `leveledTracks`; empties it, so each track queues itself
    /// again with its next level.
    func takeLeveledRooms() -> Set<String> {
        var names = Set<String>()
        for entry in leveledTracks {
            entry.track.levelQueued = false
            names.insert(entry.room)
        }
        leveledTracks.removeAll(keepingCapacity: true)
        return names
    }

    func flushTaps() {
        guard !tapsToFlush.isEmpty else { return }
        for tap in tapsToFlush { tap.flushTaps() }
        tapsToFlush.removeAll(keepingCapacity: true)
    }

    init(logger: Logger, certificate: DTLSCertificate, inboundLoss: Double, outboundLoss: Double) {
        self.logger = logger
        self.certificate = certificate
        self.inboundLoss = inboundLoss
        self.outboundLoss = outboundLoss
    }
}
