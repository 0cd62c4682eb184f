import Foundation
import Logging
@testable import Webhooks

/// A log handler that keeps every message, so tests can check what was logged.
final class RecordingLogHandler: LogHandler, @unchecked Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    final class Store: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Entry] = []
        func append(_ entry: Entry) { lock.withLock { stored.append(entry) } }
        var entries: [Entry] { lock.withLock { stored } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(store: Store) { self.store = store }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var flat: [String: String] = [:]
        for (key, value) in event.metadata ?? [:] { flat[key] = "\(value)" }
        store.append(Entry(level: event.level, message: "\(event.message)", metadata: flat))
    }
}

enum TestSupport {
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "webhooks-test-" + UUID().uuidString
        return path
    }

    static func configuration(urls: [String], directory: String) -> WebhookConfiguration {
        var configuration = WebhookConfiguration(urls: urls, apiKey: "devkey", apiSecret: "secret", directory: directory)
        configuration.initialBackoff = 0.01
        configuration.maxBackoff = 0.05
        configuration.requestTimeout = 3
        return configuration
    }

    static func logger(_ store: RecordingLogHandler.Store = .init()) -> Logger {
        Logger(label: "webhooks-test") { _ in RecordingLogHandler(store: store) }
    }

    /// A protojson-like WebhookEvent body.
    static func body(id: String, event: String, room: String) -> [UInt8] {
        Array(#"{"event":"\#(event)","room":{"name":"\#(room)"},"id":"\#(id)","createdAt":"1700000000"}"#.utf8)
    }

    /// The `id` field of a body written by `body(id:event:room:)`.
    static func id(of body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        return object["id"] as? String
    }

    static func room(of body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let room = object["room"] as? [String: Any] else { return nil }
        return room["name"] as? String
    }

    /// Polls `condition` until it holds or `timeout` seconds pass.
    static func waitUntil(timeout: Double = 15, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return await condition()
    }
}
