import ICE

/// What a WHIP/WHEP session is for.
public enum IngestDirection: String, Sendable {
    /// WHIP (RFC 9725): the peer publishes into the room.
    case publish
    /// WHEP: the peer plays what the room's publishers send.
    case play
}

public struct MediaSessionAnswer: Sendable {
    public var sessionID: String
    public var sdp: String
}

extension MediaEngine {
    /// Answers a WHIP or WHEP offer and creates the peer connection in `roomName`, on the
    /// room's shard.
    public func createSession(room roomName: String, direction: IngestDirection, offer: String) async throws -> MediaSessionAnswer {
        try await onRoomShard(roomName, create: true) { shard throws -> MediaSessionAnswer in
            let peer = try shard.makePeerConnection(room: roomName, observer: nil)
            let now = Self.now()
            do {
                let result = try peer.answer(offer: offer, play: direction == .play, now: now) { _ in "TR_" + RandomIdentifier.make() }
                guard !result.added.isEmpty || !result.downTracks.isEmpty else {
                    throw MediaSessionError.badOffer("no audio or video section we can \(direction == .publish ? "receive" : "send")")
                }
                for downTrack in result.downTracks { peer.room.follow(downTrack, now: now) }
                shard.context.logger.info("room \(roomName): \(direction.rawValue) session \(peer.id), \(result.added.count + result.downTracks.count) track(s)")
                return MediaSessionAnswer(sessionID: peer.id, sdp: result.answer)
            } catch let error as NegotiationError {
                peer.close(reason: "negotiation failed", now: now)
                throw MediaSessionError.badOffer(error.description)
            } catch {
                peer.close(reason: "negotiation failed", now: now)
                throw error
            }
        }
    }

    /// Ends a session; false if there was none.
    public func deleteSession(room roomName: String, sessionID: String) async -> Bool {
        (try? await onRoomShard(roomName, create: false) { shard -> Bool in
            guard let peer = shard.rooms[roomName]?.peers[sessionID] else { return false }
            peer.close(reason: "session deleted", now: Self.now())
            return true
        }) ?? false
    }

    public func hasSession(room roomName: String, sessionID: String) async -> Bool {
        (try? await onRoomShard(roomName, create: false) { $0.rooms[roomName]?.peers[sessionID] != nil }) ?? false
    }
}

extension PeerConnection {
    /// Answers a publisher's offer (LiveKit publisher PC): send m-lines become tracks named by
    /// `resolve` (nil refuses the m-line). Returns the answer and the tracks added/removed.
    public func answerPublisherOffer(_ sdp: String, now: Double, resolve: (OfferedTrack) -> String?) throws
        -> (answer: String, added: [PublishedTrack], removed: [PublishedTrack]) {
        let result = try answer(offer: sdp, play: false, now: now, resolve: resolve)
        return (result.answer, result.added, result.removed)
    }
}
