import SFU

/// Single peer connection (`/rtc/v1`, PROTOCOL.md §12): the client offers every time. When
/// what we send changes, we ask it for a new offer with `MediaSectionsRequirement`, naming how
/// many more receive-only audio and video sections it must add; our answer then puts the
/// subscriptions on those sections and lists them in `mid_to_track_id`.
extension RoomHost {
    /// A client offer that is not answered this long after we asked is asked for again.
    static let clientOfferRetry = 3.0

    /// Asks the client to offer again if subscriptions changed since its last offer.
    func requestClientOffer(_ participant: LiveKitParticipant, now: Double = MediaEngine.now()) {
        guard participant.isConnected, participant.awaitingOfferSince == nil else { return }
        let peer = participant.subscriber
        guard participant.needsOffer || peer.hasPendingSends else { return }
        let missing = peer.missingReceiveSections
        var requirement = Livekit_MediaSectionsRequirement()
        requirement.numAudios = UInt32(missing.audio)
        requirement.numVideos = UInt32(missing.video)
        participant.needsOffer = false
        participant.awaitingOfferSince = now
        logger.debug("\(participant.identity): asking for an offer with \(missing.audio) more audio and \(missing.video) more video sections")
        participant.send(.mediaSectionsRequirement(requirement))
    }

    /// We answered the client's offer: what it bound is confirmed; what still waits for a
    /// section is asked for.
    func answeredSinglePeerOffer(_ participant: LiveKitParticipant) {
        participant.awaitingOfferSince = nil
        participant.needsOffer = false
        confirmSubscriptions(participant)
        requestClientOffer(participant)
    }

    /// The client did not offer after we asked (a lost or ignored request): ask again.
    func retryClientOffer(_ participant: LiveKitParticipant, now: Double) {
        guard let since = participant.awaitingOfferSince, now - since >= Self.clientOfferRetry else { return }
        participant.awaitingOfferSince = nil
        participant.needsOffer = true
        requestClientOffer(participant, now: now)
    }
}
