import Foundation

/// One event waiting in the outbox: the already-encoded body and the URLs it must reach.
struct OutboxEvent: Equatable, Sendable {
    var id: String
    var room: String
    var event: String
    var body: [UInt8]
    var urls: [String]
}

/// One line of the outbox journal (`outbox.jsonl`): an event enqueued, or its delivery to one URL.
enum OutboxRecord: Equatable, Sendable {
    case enqueue(OutboxEvent)
    case delivered(id: String, url: String)
}

enum OutboxRecordError: Error, Equatable {
    case notJSON
    case unknownOperation(String)
    case missingField(String)
    case invalidBase64
}

/// The wire shape of a journal line. `urls` is optional so a journal written without it still replays
/// (then the event goes to every configured URL).
private struct OutboxRecordWire: Codable {
    var op: String
    var id: String?
    var room: String?
    var event: String?
    var body: String?
    var urls: [String]?
    var url: String?
}

extension OutboxRecord {
    /// The record as one JSON line, newline included. JSON strings escape control characters, so the
    /// line contains no other newline (RFC 8259 §7).
    func encodedLine() -> [UInt8] {
        let wire: OutboxRecordWire
        switch self {
        case .enqueue(let e):
            wire = OutboxRecordWire(op: "enqueue", id: e.id, room: e.room, event: e.event,
                                    body: Data(e.body).base64EncodedString(), urls: e.urls, url: nil)
        case .delivered(let id, let url):
            wire = OutboxRecordWire(op: "delivered", id: id, room: nil, event: nil, body: nil, urls: nil, url: url)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and arrays of strings cannot fail.
        let data = (try? encoder.encode(wire)) ?? Data()
        return Array(data) + [0x0A]
    }

    /// Parses one journal line (without its newline). `configuredURLs` stands in for a missing `urls`.
    static func parse<Bytes: Collection>(line: Bytes, configuredURLs: [String]) throws(OutboxRecordError) -> OutboxRecord
    where Bytes.Element == UInt8 {
        let wire: OutboxRecordWire
        do {
            wire = try JSONDecoder().decode(OutboxRecordWire.self, from: Data(line))
        } catch {
            throw .notJSON
        }
        guard let id = wire.id else { throw .missingField("id") }
        switch wire.op {
        case "enqueue":
            guard let room = wire.room else { throw .missingField("room") }
            guard let event = wire.event else { throw .missingField("event") }
            guard let body64 = wire.body else { throw .missingField("body") }
            guard let body = Data(base64Encoded: body64) else { throw .invalidBase64 }
            return .enqueue(OutboxEvent(id: id, room: room, event: event, body: Array(body),
                                        urls: wire.urls ?? configuredURLs))
        case "delivered":
            guard let url = wire.url else { throw .missingField("url") }
            return .delivered(id: id, url: url)
        default:
            throw .unknownOperation(wire.op)
        }
    }
}
