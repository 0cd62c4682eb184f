import Config
import HummingbirdCore
import NIOCore

/// `[server]` connection hygiene: the cap and the timeouts every HTTP/WebSocket connection
/// lives under, and the shared limiter and counters that enforce and count them.
///
/// - `header_timeout`: from accept until the first request head is complete (slowloris, silent
///   sockets);
/// - `body_timeout`: from a request head until its body is complete;
/// - `idle_timeout`: a kept-alive connection waiting for its next request (Hummingbird's own
///   idle timer).
///
/// None applies to an upgraded WebSocket: LiveKit's ping/pong watches those.
struct ConnectionPolicy: Sendable {
    var maxConnections: Int
    var idleTimeout: TimeAmount
    var headerTimeout: TimeAmount
    var bodyTimeout: TimeAmount
    let counters: HTTPConnectionCounters
    let limiter: ConnectionLimiter

    /// Heads above this are answered 431 (RFC 6585 §5). Hummingbird's decoder stops at 80 KiB
    /// per field and for all fields, without an answer, so ours is checked first and the
    /// decoder's limits are raised above it.
    static let maxHeadBytes = 80 * 1024
    static let decoderLimit = 128 * 1024

    init(settings: ConnectionSettings, descriptorLimit: UInt64?) {
        maxConnections = ProcessLimits.connectionCap(configured: settings.maxConnections, descriptorLimit: descriptorLimit)
        idleTimeout = Self.amount(settings.idleTimeout)
        headerTimeout = Self.amount(settings.headerTimeout)
        bodyTimeout = Self.amount(settings.bodyTimeout)
        counters = HTTPConnectionCounters()
        limiter = ConnectionLimiter(capacity: maxConnections, counters: counters)
    }

    static func amount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64((seconds * 1_000_000_000).rounded()))
    }

    /// Hummingbird's HTTP/1 settings for connections that are not upgraded.
    var http1: HTTP1Channel.Configuration {
        let counters = counters
        let bodyTimeout = bodyTimeout
        return HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestBodyDeadline(bodyTimeout: bodyTimeout, counters: counters),
                                        UpgradeRefusal(counters: counters)],
            idleTimeout: idleTimeout,
            httpDecoderConfiguration: .init(maxHeaderFieldSize: Self.decoderLimit, maxHeaderListSize: Self.decoderLimit))
    }

    func headGuard() -> RequestHeadGuard {
        RequestHeadGuard(limiter: limiter, headerTimeout: headerTimeout, maxHeadBytes: Self.maxHeadBytes)
    }
}
