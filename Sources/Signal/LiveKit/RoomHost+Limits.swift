import SFU

extension RoomHost {
    /// Spends one token of `participant`'s `bucket` (`[limits]`); false when it is over the
    /// limit: the refusal is counted under `kind` and logged once per participant and kind.
    func withinLimit(_ bucket: WritableKeyPath<ParticipantRateLimits, TokenBucket>, counted kind: RateLimitCounters.Kind,
                     for participant: LiveKitParticipant) -> Bool {
        if participant.rateLimits[keyPath: bucket].take(now: MediaEngine.now()) { return true }
        rateLimited.refused(kind)
        if participant.rateLimitLogged.insert(kind).inserted {
            let rate = participant.rateLimits[keyPath: bucket].ratePerSecond
            logger.warning("\(participant.identity): \(kind.rawValue) over \(rate)/s refused (counted in sfu_rate_limited_total)")
        }
        return false
    }
}
