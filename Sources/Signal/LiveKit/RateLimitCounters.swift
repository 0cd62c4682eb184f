import NIOConcurrencyHelpers

/// What the node refused under `[limits]`, for `/metrics` (`sfu_rate_limited_total{kind}`).
/// Counted only on refusals, from every shard's loop.
public final class RateLimitCounters: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case signal, metadata, data
        /// An `UpdateParticipantMetadata` over the size limits.
        case metadataSize = "metadata_size"
    }
    private let box = NIOLockedValueBox([Kind: UInt64]())

    public init() {}

    func refused(_ kind: Kind) { box.withLockedValue { $0[kind, default: 0] += 1 } }
    public func total(_ kind: Kind) -> UInt64 { box.withLockedValue { $0[kind] ?? 0 } }
}
