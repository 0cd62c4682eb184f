import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The result of one delivery attempt. Only an HTTP 2xx counts as delivered.
enum WebhookDeliveryOutcome: Equatable, Sendable {
    case delivered(status: Int)
    case failed(String)
}

/// POSTs one event to one URL the LiveKit way (PROTOCOL.md §9): `Content-Type: application/webhook+json`,
/// `Authorization: <JWT>` signed afresh per attempt (retries can outlive a token's 5 minutes).
final class WebhookHTTPSender: Sendable {  // URLSession is thread-safe; the rest is immutable.
    static let contentType = "application/webhook+json"
    private let session: URLSession
    private let apiKey: String
    private let apiSecret: String
    private let timeout: Double

    init(apiKey: String, apiSecret: String, timeout: Double) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.timeout = timeout > 0 ? timeout : 10
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = self.timeout
        configuration.timeoutIntervalForResource = self.timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.invalidateAndCancel()
    }

    func deliver(_ event: OutboxEvent, to url: String) async -> WebhookDeliveryOutcome {
        guard let target = URL(string: url), let scheme = target.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            return .failed("invalid webhook URL")
        }
        var request = URLRequest(url: target, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue(Self.contentType, forHTTPHeaderField: "Content-Type")
        request.setValue(WebhookSigner.token(body: event.body, apiKey: apiKey, apiSecret: apiSecret, now: Date()),
                         forHTTPHeaderField: "Authorization")
        request.httpBody = Data(event.body)
        do {
            let (_, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else { return .failed("not an HTTP response") }
            if (200..<300).contains(http.statusCode) { return .delivered(status: http.statusCode) }
            return .failed("HTTP status \(http.statusCode)")
        } catch {
            return .failed(String(describing: error))
        }
    }
}
