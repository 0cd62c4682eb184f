/// A room on the media loop: its peer connections, the tracks published into it, and the
/// down tracks of viewers (WHEP) that follow the newest track of their kind.
///
/// Close order: a peer's transport closes first (no more packets in), then its down tracks
/// detach from their sources, then its published tracks are removed and the viewers that
/// followed them move to another track of the same kind (or none).
final class Room {
    let name: String
    private(set) var peers: [String: PeerConnection] = [:]
    private(set) var tracks: [PublishedTrack] = []
    /// Down tracks that follow "the room's current track of their kind".
    private var followers: [DownTrack] = []

    init(name: String) { self.name = name }

    var isEmpty: Bool { peers.isEmpty }

    func add(_ peer: PeerConnection) { peers[peer.id] = peer }

    func publish(_ track: PublishedTrack, now: Double) {
        tracks.append(track)
        for follower in followers where follower.kind == track.kind {
            follower.switchSource(to: track, now: now)
        }
    }

    /// A viewer's down track starts on the newest published track of its kind.
    func follow(_ downTrack: DownTrack, now: Double) {
        followers.append(downTrack)
        downTrack.switchSource(to: tracks.last { $0.kind == downTrack.kind }, now: now)
    }

    func remove(_ peer: PeerConnection, now: Double) {
        guard peers.removeValue(forKey: peer.id) != nil else { return }
        followers.removeAll { $0.subscriber === peer }
        let gone = tracks.filter { $0.publisher === peer }
        tracks.removeAll { $0.publisher === peer }
        for track in gone {
            for downTrack in track.downTracks {
                downTrack.switchSource(to: tracks.last { $0.kind == downTrack.kind }, now: now)
            }
        }
    }
}
