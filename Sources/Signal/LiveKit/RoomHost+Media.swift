import Foundation
import JWTKit
import SFU

extension RoomHost {
    /// Adds `track` to the participant's subscriber PC; the next offer carries it with msid
    /// `PA_…|TR_…` (PROTOCOL.md §5).
    func subscribe(_ participant: LiveKitParticipant, to track: PublishedTrackState, owner: LiveKitParticipant, now: Double) {
        guard participant.subscriptions[track.sid] == nil, let media = track.media else { return }
        guard let downTrack = participant.subscriber.subscribe(to: media, streamID: "\(owner.sid)|\(track.sid)",
                                                               trackID: track.sid, now: now) else { return }
        participant.subscriptions[track.sid] = downTrack
        participant.unconfirmedSubscriptions.insert(track.sid)
        participant.needsOffer = true
    }

    func unsubscribe(_ participant: LiveKitParticipant, from trackSID: String, now: Double) {
        guard let downTrack = participant.subscriptions.removeValue(forKey: trackSID) else { return }
        participant.subscriber.unsubscribe(downTrack, now: now)
        participant.unconfirmedSubscriptions.remove(trackSID)
        participant.needsOffer = true
    }

    /// Sends a subscriber offer unless one is outstanding (then once its answer arrives).
    func negotiateSubscriber(_ participant: LiveKitParticipant, iceRestart: Bool = false) {
        if participant.isSinglePeer {
            // The client offers (and restarts ICE) itself; we only ask it to.
            requestClientOffer(participant)
            return
        }
        guard participant.isConnected || iceRestart else { return }
        if participant.awaitingAnswer && !iceRestart {
            participant.needsOffer = true
            return
        }
        let firstOffer = participant.subscriber.negotiationCount == 0
        guard participant.needsOffer || firstOffer || iceRestart else { return }
        participant.needsOffer = false
        participant.awaitingAnswer = true
        var offer = Livekit_SessionDescription()
        offer.type = "offer"
        offer.sdp = participant.subscriber.createOffer(iceRestart: iceRestart)
        offer.id = UInt32(truncatingIfNeeded: participant.subscriber.negotiationCount)
        participant.send(.offer(offer))
    }

    /// After an answer: tell each publisher that someone now receives its track (`TrackSubscribed`).
    /// A single peer connection's subscription counts once an m-line carries it.
    func confirmSubscriptions(_ participant: LiveKitParticipant) {
        var confirmed: Set<String> = []
        for sid in participant.unconfirmedSubscriptions {
            if let downTrack = participant.subscriptions[sid], downTrack.mid.isEmpty { continue }
            confirmed.insert(sid)
            guard let (owner, _) = participant.room.publishedTracks.first(where: { $0.1.sid == sid }) else { continue }
            var subscribed = Livekit_TrackSubscribed()
            subscribed.trackSid = sid
            owner.send(.trackSubscribed(subscribed))
        }
        participant.unconfirmedSubscriptions.subtract(confirmed)
    }

    /// Relays a `DataPacket` (PROTOCOL.md §3): the sender's identity and SID are written in,
    /// it goes to `destination_identities` or to everyone else, on the channel it came on.
    func relayData(_ data: [UInt8], label: String, from sender: LiveKitParticipant) {
        guard label == "_reliable" || label == "_lossy" else { return }
        guard sender.permission.canPublishData else {
            logger.debug("\(sender.identity): data dropped (no canPublishData)")
            return
        }
        guard withinLimit(\.data, counted: .data, for: sender) else { return }
        guard var packet = try? Livekit_DataPacket(serializedBytes: data) else {
            logger.info("\(sender.identity): malformed DataPacket dropped (\(data.count) bytes)")
            return
        }
        packet.participantIdentity = sender.identity
        packet.participantSid = sender.sid
        packet.kind = label == "_reliable" ? .reliable : .lossy
        var destinations = packet.destinationIdentities
        if case .user(var user) = packet.value {
            user.participantIdentity = sender.identity
            user.participantSid = sender.sid
            if destinations.isEmpty { destinations = user.destinationIdentities }
            packet.value = .user(user)
        }
        guard let bytes: [UInt8] = try? packet.serializedBytes() else { return }
        let targets = Set(destinations)
        for participant in sender.room.allParticipants where participant !== sender {
            guard targets.isEmpty || targets.contains(participant.identity) else { continue }
            participant.subscriber.sendData(bytes, label: label, reliable: label == "_reliable")
        }
    }

    /// Active speakers from RFC 6464 audio levels; `SpeakersChanged` carries the full current
    /// set, plus those that stopped (active = false) (PROTOCOL.md §6).
    func updateSpeakers(_ room: LiveKitRoom, now: Double) {
        for participant in room.participants.values {
            for track in participant.published.values {
                guard let media = track.media, media.kind == .audio, !track.info.muted,
                      let level = media.audioLevel, now - level.time < 0.3 else { continue }
                room.speakers.observe(participant: participant.sid, level: level.level, voiceActivity: nil, now: now)
            }
        }
        let (speakers, changed) = room.speakers.update(now: now)
        guard changed else { return }
        var message = Livekit_SpeakersChanged()
        let current = Set(speakers.map(\.participant))
        for speaker in speakers {
            var info = Livekit_SpeakerInfo()
            info.sid = speaker.participant
            info.level = speaker.level
            info.active = true
            message.speakers.append(info)
        }
        for gone in room.lastSpeakers.subtracting(current) {
            var info = Livekit_SpeakerInfo()
            info.sid = gone
            info.active = false
            message.speakers.append(info)
        }
        room.lastSpeakers = current
        room.broadcast(.speakersChanged(message))
    }

    /// `ConnectionQualityUpdate` from each publisher's reception loss and jitter. As LiveKit
    /// does, it is sent only when it says something new: a participant not in the last update,
    /// or a participant whose rating moved. A room whose ratings hold still costs its
    /// participants no signalling.
    func updateConnectionQuality(_ room: LiveKitRoom, now: Double) {
        var update = Livekit_ConnectionQualityUpdate()
        var ratings: [String: Livekit_ConnectionQuality] = [:]
        ratings.reserveCapacity(room.participants.count)
        for participant in room.participants.values {
            var expected: UInt64 = 0
            var lost: UInt64 = 0
            var jitter = 0.0
            for track in participant.published.values {
                guard let stats = track.media?.receptionTotals else { continue }
                let previous = participant.lastQualityTotals[track.sid] ?? (0, 0)
                expected += stats.expected &- previous.expected
                lost += stats.lost > previous.lost ? stats.lost - previous.lost : 0
                jitter = max(jitter, stats.jitterSeconds)
                participant.lastQualityTotals[track.sid] = (stats.expected, stats.lost)
            }
            if expected > 0 {
                participant.quality.update(expected: expected, lost: lost, jitter: jitter, rtt: nil, now: now)
            }
            var info = Livekit_ConnectionQualityInfo()
            info.participantSid = participant.sid
            info.quality = Livekit_ConnectionQuality(rawValue: participant.quality.rating.rawValue) ?? .excellent
            info.score = participant.quality.score
            update.updates.append(info)
            ratings[participant.sid] = info.quality
        }
        defer { room.lastQualityRatings = ratings }
        guard ConnectionQualityNews.isNews(previous: room.lastQualityRatings, current: ratings) else { return }
        room.broadcast(.connectionQuality(update))
    }

    /// A fresh token with the same grants, for the SDK's reconnects (PROTOCOL.md §6).
    func sendRefreshToken(_ participant: LiveKitParticipant) {
        guard let apiKey = participant.claims.iss, let secret = keys[apiKey] else { return }
        var claims = participant.claims
        let expiry = Date().addingTimeInterval(10 * 60)
        claims.exp = ExpirationClaim(value: expiry)
        claims.nbf = NotBeforeClaim(value: Date().addingTimeInterval(-1))
        claims.name = participant.name
        claims.metadata = participant.metadata
        let payload = claims
        guard let sink = participant.sink else { return }
        agents.background.spawn {
            guard let token = try? await AccessTokenSigner.sign(payload, secret: secret) else { return }
            sink.send(.refreshToken(token))
        }
        participant.tokenExpiry = expiry
    }
}
