/// Where webhooks go, how they are signed, where the durable outbox lives and how delivery retries.
public struct WebhookConfiguration: Sendable {
    /// Every URL receives every event (PROTOCOL.md §9).
    public var urls: [String]
    /// Signs the `Authorization` JWT: `iss` = apiKey, HS256 with apiSecret.
    public var apiKey: String
    public var apiSecret: String
    /// Where the durable outbox lives (created if missing).
    public var directory: String
    /// Seconds to wait after the first failure; doubles per failure up to `maxBackoff`.
    public var initialBackoff: Double = 0.5
    public var maxBackoff: Double = 30
    /// Seconds before an HTTP attempt counts as failed.
    public var requestTimeout: Double = 10
    /// The journal is rewritten once it has grown past this many bytes and every event in it is delivered
    /// (it is always compacted at startup).
    public var compactionThreshold: Int = 1 << 20

    public init(urls: [String], apiKey: String, apiSecret: String, directory: String) {
        self.urls = urls
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.directory = directory
    }
}
