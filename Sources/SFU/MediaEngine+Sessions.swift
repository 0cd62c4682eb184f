import ICE
import DTLS
import SDP

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
    /// Header extensions we accept: the ones the forwarding path reads or writes.
    static let acceptedExtensions: Set<String> = [
        ExtensionURI.mid, ExtensionURI.audioLevel, ExtensionURI.rtpStreamID, ExtensionURI.repairedRTPStreamID,
    ]

    /// Answers a WHIP or WHEP offer and creates the peer connection in `roomName`.
    public func createSession(room roomName: String, direction: IngestDirection, offer: String) async throws -> MediaSessionAnswer {
        let parsed: SessionDescription
        do {
            parsed = try SessionDescription.parse(offer)
        } catch {
            throw MediaSessionError.badOffer("SDP does not parse: \(error)")
        }
        return try await loop.submit { () throws -> MediaSessionAnswer in
            try self.negotiate(roomName: roomName, direction: direction, offer: parsed)
        }.get()
    }

    /// Ends a session; false if there was none.
    public func deleteSession(room roomName: String, sessionID: String) async -> Bool {
        (try? await loop.submit { () -> Bool in
            guard let peer = self.rooms[roomName]?.peers[sessionID] else { return false }
            peer.close(reason: "session deleted", now: Self.now())
            self.socket?.flushIfNeeded()
            return true
        }.get()) ?? false
    }

    public func hasSession(room roomName: String, sessionID: String) async -> Bool {
        (try? await loop.submit { self.rooms[roomName]?.peers[sessionID] != nil }.get()) ?? false
    }

    private func negotiate(roomName: String, direction: IngestDirection, offer: SessionDescription) throws -> MediaSessionAnswer {
        guard let socket else { throw MediaSessionError.internalError("media socket not bound") }
        guard let first = offer.media.first(where: { $0.port != 0 }) else { throw MediaSessionError.badOffer("no media sections") }
        guard let credentials = offer.iceCredentials(for: first) else { throw MediaSessionError.badOffer("no ICE credentials") }
        guard let fingerprint = offer.fingerprint(for: first) else { throw MediaSessionError.badOffer("no DTLS fingerprint") }
        // RFC 5763 §5: the answerer to actpass is passive toward browsers (DTLS server);
        // to an active offerer we are passive, to a passive one active.
        let remoteSetup = offer.setup(for: first) ?? .actpass
        let localSetup: DTLSSetup = remoteSetup == .passive ? .active : .passive
        let role: DTLSRole = localSetup == .active ? .client : .server

        let transport = WebRTCTransport(socket: socket, context: context)
        guard let address = TransportAddress(string: configuration.advertisedIP, port: UInt16(configuration.udpPort)) else {
            throw MediaSessionError.internalError("advertised address \(configuration.advertisedIP) is not an IP address")
        }
        let local = LocalTransportParameters(
            iceUfrag: transport.localUfrag, icePwd: transport.localPassword,
            fingerprint: Fingerprint(algorithm: "sha-256", value: context.certificate.fingerprintSHA256),
            setup: localSetup, candidates: [hostCandidate(address: address)], iceLite: true)
        var preferences = CodecPreferences.default
        preferences.extensionURIs = Self.acceptedExtensions
        let cname = "sfu-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let result: (answer: SessionDescription, negotiated: [NegotiatedMedia?])
        do {
            result = try makeAnswer(offer: offer, local: local, preferences: preferences) { _, media in
                guard media.port != 0, MediaKind(sdpKind: media.kind) != nil else {
                    return MediaAnswerChoice(direction: .inactive, outgoing: nil)
                }
                switch direction {
                case .publish:
                    let sends = media.direction == .sendonly || media.direction == .sendrecv
                    return MediaAnswerChoice(direction: sends ? .recvonly : .inactive, outgoing: nil)
                case .play:
                    let receives = media.direction == .recvonly || media.direction == .sendrecv
                    guard receives else { return MediaAnswerChoice(direction: .inactive, outgoing: nil) }
                    let stream = OutgoingStream(ssrc: UInt32.random(in: 1...UInt32.max), cname: cname,
                                                streamId: "room-\(roomName)", trackId: "\(media.kind)-\(media.mid ?? "")")
                    return MediaAnswerChoice(direction: .sendonly, outgoing: stream)
                }
            }
        } catch {
            throw MediaSessionError.badOffer("cannot answer: \(error)")
        }
        do {
            try transport.configure(remoteUfrag: credentials.ufrag, remotePassword: credentials.pwd, role: role,
                                    remoteFingerprint: (fingerprint.algorithm, fingerprint.value),
                                    certificate: context.certificate)
        } catch {
            throw MediaSessionError.badOffer("DTLS setup: \(error)")
        }

        let room = room(named: roomName)
        let sessionID = Self.randomID()
        let peer = PeerConnection(id: sessionID, transport: transport, room: room)
        let now = Self.now()
        var added = 0
        for (index, negotiated) in result.negotiated.enumerated() {
            guard let negotiated, let kind = MediaKind(sdpKind: negotiated.kind) else { continue }
            let formats = negotiated.codecs.map(PayloadFormat.init)
            let extensionID = { (uri: String) in negotiated.extmaps.first { $0.uri == uri }?.id }
            switch (direction, negotiated.direction) {
            case (.publish, .recvonly):
                let offered = offer.media[index]
                let rtxGroup = offered.ssrcGroups.first { $0.semantics == "FID" }
                let mediaSSRC = rtxGroup?.ssrcs.first ?? offered.primarySSRC
                let rtxSSRC = rtxGroup.flatMap { $0.ssrcs.count > 1 ? $0.ssrcs[1] : nil }
                let track = PublishedTrack(id: "TR_" + Self.randomID(), kind: kind, mid: negotiated.mid, publisher: peer,
                                           formats: formats, mediaSSRC: mediaSSRC, rtxSSRC: rtxSSRC,
                                           audioLevelExtensionID: extensionID(ExtensionURI.audioLevel))
                peer.addPublished(track)
                added += 1
            case (.play, .sendonly):
                guard let ssrc = result.answer.media[index].primarySSRC else { continue }
                let downTrack = DownTrack(ssrc: ssrc, kind: kind, mid: negotiated.mid, cname: cname, subscriber: peer,
                                          formats: formats, midExtensionID: extensionID(ExtensionURI.mid),
                                          audioLevelExtensionID: extensionID(ExtensionURI.audioLevel))
                peer.addDownTrack(downTrack)
                added += 1
            default:
                continue
            }
        }
        guard added > 0 else { throw MediaSessionError.badOffer("no audio or video section we can \(direction == .publish ? "receive" : "send")") }
        room.add(peer)
        router.add(peer)
        for track in peer.published { room.publish(track, now: now) }
        for downTrack in peer.downTracks { room.follow(downTrack, now: now) }
        context.logger.info("room \(roomName): \(direction.rawValue) session \(sessionID) with \(added) track(s)")
        return MediaSessionAnswer(sessionID: sessionID, sdp: result.answer.serialize())
    }

    static func randomID() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        return String((0..<12).map { _ in alphabet.randomElement()! })
    }
}
