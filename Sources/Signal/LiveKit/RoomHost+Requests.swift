import Foundation
import SFU

extension RoomHost {
    /// One `SignalRequest` from a participant (PROTOCOL.md §2–§6).
    func handle(_ request: Livekit_SignalRequest, from participant: LiveKitParticipant) {
        let now = MediaEngine.now()
        switch request.message {
        case .offer(let offer):
            handlePublisherOffer(offer, from: participant, now: now)
        case .answer(let answer):
            guard !participant.isSinglePeer else {
                logger.info("\(participant.identity): answer ignored (single peer connection: we never offer)")
                return
            }
            logger.trace("\(participant.identity) subscriber answer:\n\(answer.sdp)")
            do {
                try participant.subscriber.applyAnswer(answer.sdp, now: now)
            } catch {
                logger.warning("\(participant.identity): bad subscriber answer: \(error)")
            }
            participant.awaitingAnswer = false
            confirmSubscriptions(participant)
            if participant.needsOffer { negotiateSubscriber(participant) }
        case .trickle:
            break  // ICE-lite: remote candidates are learned from connectivity checks (RFC 8445 §2.5)
        case .addTrack(let add):
            handleAddTrack(add, from: participant)
        case .mute(let mute):
            guard let track = participant.published[mute.sid] else { return }
            track.info.muted = mute.muted
            participant.version += 1
            participant.room.announce(participant)
            notifyRecordersMuted(participant.room, trackID: mute.sid, muted: mute.muted)
        case .subscription(let update):
            var sids = update.trackSids
            for entry in update.participantTracks { sids += entry.trackSids }
            for sid in sids {
                if update.subscribe {
                    if let (owner, track) = participant.room.publishedTracks.first(where: { $0.1.sid == sid }), owner !== participant {
                        subscribe(participant, to: track, owner: owner, now: now)
                    }
                } else {
                    unsubscribe(participant, from: sid, now: now)
                }
            }
            negotiateSubscriber(participant)
        case .trackSetting(let settings):
            for sid in settings.trackSids {
                guard let downTrack = participant.subscriptions[sid] else { continue }
                downTrack.isPaused = settings.disabled || settings.quality == .off
                if let track = participant.room.publishedTracks.first(where: { $0.1.sid == sid })?.1, track.isVideo {
                    downTrack.targetLayer = track.layer(quality: settings.quality, width: settings.width, height: settings.height)
                }
            }
        case .leave:
            removeParticipant(participant, now: now)
        case .updateMetadata(let update):
            handleMetadataUpdate(update, from: participant)
        case .pingReq(let ping):
            var pong = Livekit_Pong()
            pong.lastPingTimestamp = ping.timestamp
            pong.timestamp = Int64(Date().timeIntervalSince1970 * 1000)
            participant.send(.pongResp(pong))
        case .ping(let timestamp):
            participant.send(.pong(timestamp))
        case .subscriptionPermission, .syncState, .simulate, .updateLayers, .updateAudioTrack, .updateVideoTrack:
            break  // accepted; not acted on yet
        default:
            break
        }
    }

    func handleAddTrack(_ add: Livekit_AddTrackRequest, from participant: LiveKitParticipant) {
        logger.trace("\(participant.identity) add track: \(add)")
        let allowedSources = participant.permission.canPublishSources
        guard participant.permission.canPublish, allowedSources.isEmpty || allowedSources.contains(add.source) else {
            var response = Livekit_RequestResponse()
            response.reason = .notAllowed
            response.message = "permissions denied: cannot publish \(add.source)"
            response.addTrack = add
            participant.send(.requestResponse(response))
            logger.info("\(participant.identity): refused publish of \(add.cid) (no permission)")
            return
        }
        if let existing = participant.published.values.first(where: { $0.cid == add.cid }) {
            var response = Livekit_TrackPublishedResponse()
            response.cid = add.cid
            response.track = existing.info
            participant.send(.trackPublished(response))
            return
        }
        var info = Livekit_TrackInfo()
        info.sid = add.sid.hasPrefix("TR_") ? add.sid : Identifier.track()
        info.type = add.type
        info.name = add.name
        info.muted = add.muted
        info.width = add.width
        info.height = add.height
        info.source = add.source
        info.layers = add.layers
        info.simulcast = add.layers.count > 1 || add.simulcastCodecs.contains { $0.layers.count > 1 }
        info.disableDtx = add.disableDtx
        info.stereo = add.stereo
        info.disableRed = add.disableRed
        info.encryption = add.encryption
        info.stream = add.stream
        info.audioFeatures = add.audioFeatures
        let state = PublishedTrackState(info: info, cid: add.cid)
        participant.published[info.sid] = state
        var response = Livekit_TrackPublishedResponse()
        response.cid = add.cid
        response.track = info
        participant.send(.trackPublished(response))
    }

    func handlePublisherOffer(_ offer: Livekit_SessionDescription, from participant: LiveKitParticipant, now: Double) {
        do {
            let publisher: PeerConnection
            if let existing = participant.publisher {
                publisher = existing
            } else {
                publisher = try shard.shard.makePeerConnection(room: participant.room.name, observer: participant.observerProxy)
                participant.publisher = publisher
            }
            let result = try publisher.answerPublisherOffer(offer.sdp, now: now) { offered in
                // Match by msid track id = AddTrackRequest cid (PROTOCOL.md §4), else the
                // oldest pending track of that kind.
                let pending = participant.published.values.filter { $0.media == nil && !$0.claimed }
                let kind: Livekit_TrackType = offered.kind == .audio ? .audio : .video
                let match = pending.first { $0.cid == offered.msidTrackID }
                    ?? pending.filter { $0.info.type == kind }.min { $0.info.sid < $1.info.sid }
                match?.claimed = true
                match?.info.mid = offered.mid
                return match?.sid
            }
            logger.trace("\(participant.identity) publisher offer:\n\(offer.sdp)\nanswer:\n\(result.answer)")
            var answer = Livekit_SessionDescription()
            answer.type = "answer"
            answer.sdp = result.answer
            answer.id = offer.id
            if publisher.sendsInAnswers { answer.midToTrackID = publisher.sentTrackIDsByMid }
            participant.send(.answer(answer))
            if publisher.sendsInAnswers { answeredSinglePeerOffer(participant) }
            for track in participant.published.values { track.claimed = false }
            for media in result.added {
                guard let state = participant.published[media.id] else { continue }
                state.media = media
                state.info.mid = media.mid
                // Simulcast is what the m-line carries (RIDs), whatever the request said.
                if media.isSimulcast { state.info.simulcast = true }
                if media.kind == .video, let format = media.primaryMimeType { state.info.mimeType = format }
                if media.kind == .audio, let format = media.primaryMimeType { state.info.mimeType = format }
            }
            for media in result.removed {
                guard let state = participant.published.removeValue(forKey: media.id) else { continue }
                var unpublished = Livekit_TrackUnpublishedResponse()
                unpublished.trackSid = state.sid
                participant.send(.trackUnpublished(unpublished))
                emit("track_unpublished", room: participant.room, participant: participant, track: state.info)
                for other in participant.room.allParticipants { unsubscribe(other, from: state.sid, now: now) }
            }
            for media in result.added {
                if let state = participant.published[media.id] {
                    emit("track_published", room: participant.room, participant: participant, track: state.info)
                }
            }
            if !result.added.isEmpty || !result.removed.isEmpty {
                syncRecorders(participant.room, now: now)
                participant.version += 1
                participant.room.announce(participant)
                for media in result.added {
                    guard let state = participant.published[media.id] else { continue }
                    for other in participant.room.allParticipants where other !== participant && other.autoSubscribe && other.permission.canSubscribe {
                        subscribe(other, to: state, owner: participant, now: now)
                    }
                }
                for other in participant.room.allParticipants where other !== participant { negotiateSubscriber(other) }
            }
        } catch {
            logger.warning("\(participant.identity): cannot answer publisher offer: \(error)")
        }
    }

    private func handleMetadataUpdate(_ update: Livekit_UpdateParticipantMetadata, from participant: LiveKitParticipant) {
        var response = Livekit_RequestResponse()
        response.requestID = update.requestID
        response.updateMetadata = update
        defer { logger.debug("\(participant.identity): metadata update \(update.requestID) answered \(response.reason)") }
        guard participant.permission.canUpdateMetadata else {
            response.reason = .notAllowed
            response.message = "permissions denied: token lacks canUpdateOwnMetadata"
            participant.send(.requestResponse(response))
            return
        }
        if let refusal = limits.sizeRefusal(name: update.name, metadata: update.metadata, attributes: update.attributes) {
            rateLimited.refused(.metadataSize)
            response.reason = .limitExceeded
            response.message = refusal
            participant.send(.requestResponse(response))
            return
        }
        guard withinLimit(\.metadata, counted: .metadata, for: participant) else {
            // Answered, so the SDK's call fails at once rather than after its timeout.
            response.reason = .limitExceeded
            response.message = "rate limit exceeded: at most \(limits.metadataUpdatesPerSecond) metadata updates per second"
            participant.send(.requestResponse(response))
            return
        }
        if !update.metadata.isEmpty { participant.metadata = update.metadata }
        if !update.name.isEmpty { participant.name = update.name }
        for (key, value) in update.attributes {
            // LiveKit: an empty value deletes the attribute.
            if value.isEmpty { participant.attributes[key] = nil } else { participant.attributes[key] = value }
        }
        participant.version += 1
        response.reason = .ok
        participant.send(.requestResponse(response))
        // The participant learns its own new state too.
        var update = Livekit_ParticipantUpdate()
        update.participants = [participant.info]
        participant.room.broadcast(.update(update))
    }
}
