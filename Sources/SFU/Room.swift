/// A room on the media loop: its peer connections, the tracks published into it, and the
/// down tracks of WHEP viewers that follow the newest track of their kind. LiveKit
/// subscriptions are made explicitly by the signalling layer.
///
/// Close order: a peer's transport closes first (no more packets in), then its down tracks
/// detach from their sources, then its published tracks are removed and the viewers that
/// followed them move to another track of the same kind (or none).
public final class Room {
    public let name: String
    public private(set) var peers: [String: PeerConnection] = [:]
    public private(set) var tracks: [PublishedTrack] = []
    /// Down tracks that follow "the room's current track of their kind".
    private var followers: [DownTrack] = []

    init(name: String) { self.name = name }

    public var isEmpty: Bool { peers.isEmpty }

    func add(_ peer: PeerConnection) { peers[peer.id] = peer }

    func publish(_ track: PublishedTrack, now: Double) {
        tracks.append(track)
        for follower in followers where follower.kind == track.kind {
            follower.switchSource(to: track, now: now)
        }
    }

    func unpublish(_ track: PublishedTrack, now: Double) {
        guard tracks.contains(where: { $0 === track }) else { return }
        tracks.removeAll { $0 === track }
        for follower in followers where follower.source == nil || follower.source === track {
            follower.switchSource(to: tracks.last { $0.kind == follower.kind }, now: now)
        }
    }

    /// A viewer's down track starts on the newest published track of its kind.
    func follow(_ downTrack: DownTrack, now: Double) {
        followers.append(downTrack)
        downTrack.switchSource(to: tracks.last { $0.kind == downTrack.kind }, now: now)
    }

    public func track(id: String) -> PublishedTrack? { tracks.first { $0.id == id } }

    func remove(_ peer: PeerConnection, now: Double) {
        guard peers.removeValue(forKey: peer.id) != nil else { return }
        followers.removeAll { $0.subscriber === peer }
        for track in tracks where track.publisher === peer { unpublish(track, now: now) }
    }
}
