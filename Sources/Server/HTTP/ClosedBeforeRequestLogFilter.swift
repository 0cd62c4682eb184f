import Logging

/// Hummingbird logs "Error handling upgrade result" at error level for every connection that
/// closes before its first request head was handled. Our `RequestHeadGuard` closes such
/// connections on purpose (header timeout, 431, 503, eviction at the cap), so under an idle
/// flood that would be one error line per connection cut; this handler demotes exactly that
/// message to debug and passes everything else on unchanged.
struct ClosedBeforeRequestLogFilter: LogHandler {
    var inner: any LogHandler
    static let message = "Error handling upgrade result"

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if event.level == .error, event.message.description == Self.message { event.level = .debug }
        guard event.level >= inner.logLevel else { return }
        inner.log(event: event)
    }

    static func wrapping(_ logger: Logger) -> Logger {
        var filtered = logger
        filtered.handler = ClosedBeforeRequestLogFilter(inner: logger.handler)
        return filtered
    }
}
