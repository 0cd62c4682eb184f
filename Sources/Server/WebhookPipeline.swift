import Foundation
import Logging
import Signal
import SwiftProtobuf
import Webhooks

/// Carries the LiveKit service's events into the durable webhook outbox, in order: the
/// service yields on the media loop into a stream, one task drains it.
struct WebhookPipeline {
    let outbox: WebhookOutbox
    let task: Task<Void, Never>
    let continuation: AsyncStream<Livekit_WebhookEvent>.Continuation

    /// Lets every event already emitted reach the journal, then stops delivery.
    func stop() async {
        continuation.finish()
        await task.value
        await outbox.stop()
    }

    static let jsonOptions: JSONEncodingOptions = JSONEncodingOptions()  // protojson, camelCase (PROTOCOL.md §9)

    static func start(service: LiveKitService, configuration: WebhookConfiguration, logger: Logger) async throws -> WebhookPipeline {
        let outbox = try WebhookOutbox(configuration: configuration, logger: logger)
        await outbox.start()
        let (stream, continuation) = AsyncStream.makeStream(of: Livekit_WebhookEvent.self)
        try await service.setEventHandler { continuation.yield($0) }
        let task = Task {
            for await event in stream {
                do {
                    let body: [UInt8] = try event.jsonUTF8Bytes(options: jsonOptions)
                    try await outbox.enqueue(id: event.id, room: event.room.name, event: event.event, body: body)
                } catch {
                    logger.error("webhook \(event.event) \(event.id) could not be queued: \(error)")
                }
            }
        }
        return WebhookPipeline(outbox: outbox, task: task, continuation: continuation)
    }
}
