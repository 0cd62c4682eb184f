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
    /// Runs `body` on the media loop (where every room, peer and track lives), then flushes
    /// whatever it queued on the socket.
    public func onLoop<T>(_ body: @escaping () throws -> T) async throws -> T {
        try await loop.submit {
            defer { self.socket?.flushIfNeeded() }
            return try body()
        }.get()
    }

    /// Creates a peer connection in `roomName`. Call on the media loop.
    public func makePeerConnection(room roomName: String, observer: PeerConnectionObserver?) throws -> PeerConnection {
        loop.preconditionInEventLoop()
        guard let socket else { throw MediaSessionError.internalError("media socket not bound") }
        let transport = WebRTCTransport(socket: socket, context: context)
        let room = room(named: roomName)
        let peer = PeerConnection(id: RandomIdentifier.make(), transport: transport, room: room, now: Self.now())
        peer.observer = observer
        room.add(peer)
        router.add(peer)
        return peer
    }

    /// Answers a WHIP or WHEP offer and creates the peer connection in `roomName`.
    public func createSession(room roomName: String, direction: IngestDirection, offer: String) async throws -> MediaSessionAnswer {
        try await onLoop { () throws -> MediaSessionAnswer in
            let peer = try self.makePeerConnection(room: roomName, observer: nil)
            let now = Self.now()
            do {
                let result = try peer.answer(offer: offer, play: direction == .play, now: now) { _ in "TR_" + RandomIdentifier.make() }
                guard !result.added.isEmpty || !result.downTracks.isEmpty else {
                    throw MediaSessionError.badOffer("no audio or video section we can \(direction == .publish ? "receive" : "send")")
                }
                for downTrack in result.downTracks { peer.room.follow(downTrack, now: now) }
                self.context.logger.info("room \(roomName): \(direction.rawValue) session \(peer.id), \(result.added.count + result.downTracks.count) track(s)")
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
        (try? await onLoop { () -> Bool in
            guard let peer = self.rooms[roomName]?.peers[sessionID] else { return false }
            peer.close(reason: "session deleted", now: Self.now())
            return true
        }) ?? false
    }

    public func hasSession(room roomName: String, sessionID: String) async -> Bool {
        (try? await onLoop { self.rooms[roomName]?.peers[sessionID] != nil }) ?? false
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
