/// `[limits]` in `sfu.toml`: what one participant may send. Rates are per second with a burst
/// on top (`TokenBucket`); a rate of 0 turns that limit off. Sizes follow LiveKit's `limit`
/// defaults (metadata 512 KiB, attributes 64 KiB in total, names 256 bytes).
public struct ParticipantLimits: Sendable, Equatable {
    /// Signal requests other than ping, leave and metadata updates; over it they are dropped.
    public var signalRequestsPerSecond = 100.0
    public var signalRequestBurst = 300.0
    /// `UpdateParticipantMetadata`; over it the request is answered `LIMIT_EXCEEDED`.
    public var metadataUpdatesPerSecond = 10.0
    public var metadataUpdateBurst = 20.0
    /// Data packets on `_reliable` and `_lossy`; over it they are dropped.
    public var dataMessagesPerSecond = 500.0
    public var dataMessageBurst = 1000.0
    public var maxMetadataSize = 512 * 1024
    public var maxAttributesSize = 64 * 1024
    public var maxNameLength = 256

    public init() {}

    /// Why `update` is refused by size (as LiveKit words it), or nil when it fits.
    func sizeRefusal(name: String, metadata: String, attributes: [String: String]) -> String? {
        if name.utf8.count > maxNameLength { return "exceeds name length limit (\(maxNameLength) bytes)" }
        if metadata.utf8.count > maxMetadataSize { return "exceeds metadata size limit (\(maxMetadataSize) bytes)" }
        let attributeBytes = attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if attributeBytes > maxAttributesSize { return "exceeds attributes size limit (\(maxAttributesSize) bytes)" }
        return nil
    }
}

/// One participant's buckets, on its room's loop.
struct ParticipantRateLimits {
    var signal: TokenBucket
    var metadata: TokenBucket
    var data: TokenBucket

    init(_ limits: ParticipantLimits) {
        signal = TokenBucket(ratePerSecond: limits.signalRequestsPerSecond, burst: limits.signalRequestBurst)
        metadata = TokenBucket(ratePerSecond: limits.metadataUpdatesPerSecond, burst: limits.metadataUpdateBurst)
        data = TokenBucket(ratePerSecond: limits.dataMessagesPerSecond, burst: limits.dataMessageBurst)
    }
}
