import Foundation
import Signal

/// One signalling frame relayed between the node a participant's WebSocket reached (the
/// edge) and the node hosting its room, over Redis pub/sub: every node subscribes to its own
/// inbox channel (`SignalRelay.inbox(of:)`), and frames of one session are published in order
/// by one task, so they arrive in order (Redis keeps a publisher's order per channel).
///
/// Wire form: one kind byte, the session key (2-byte big-endian length, UTF-8), then the
/// payload: the protobuf bytes of a `SignalRequest`/`SignalResponse`, the close reason, or
/// (for `open`) a JSON object with the token and the join's query.
enum RelayFrame: Equatable, Sendable {
    struct Open: Codable, Equatable, Sendable {
        /// Node id of the edge, where responses go.
        var edge: String
        var token: String
        /// The upgrade request's query (JoinParameters, `join_request` for `/rtc/v1`).
        var query: [String: String]
        var singlePeer: Bool
    }

    /// edge → room node: a participant connected.
    case open(session: String, Open)
    /// edge → room node: one `Livekit_SignalRequest`, binary protobuf.
    case request(session: String, bytes: [UInt8])
    /// edge → room node: the participant's WebSocket closed.
    case close(session: String)
    /// room node → edge: one `Livekit_SignalResponse`, binary protobuf.
    case response(session: String, bytes: [UInt8])
    /// room node → edge: the session ended (a refused join, a removed participant).
    case end(session: String, reason: String)
    /// room node → a node with a suitable agent worker: run this job (no session).
    case agentDispatch(RemoteAgentDispatch)
    /// room node → that node: the room ended, end its jobs.
    case agentCancel(room: String)
    /// room node → that node: a dispatch of the room was deleted, end its jobs.
    case agentCancelDispatch(String, room: String)

    /// `badOpen`: the JSON payload of an `open` or `agentDispatch` did not decode.
    enum DecodingError: Error, Equatable { case truncated, unknownKind(UInt8), badOpen }

    var session: String {
        switch self {
        case .open(let s, _), .request(let s, _), .close(let s), .response(let s, _), .end(let s, _): return s
        case .agentDispatch, .agentCancel: return ""
        case .agentCancelDispatch(let dispatchID, _): return dispatchID
        }
    }

    private var kind: UInt8 {
        switch self {
        case .open: return 1
        case .request: return 2
        case .close: return 3
        case .response: return 4
        case .end: return 5
        case .agentDispatch: return 6
        case .agentCancel: return 7
        case .agentCancelDispatch: return 8
        }
    }

    func encoded() -> [UInt8] {
        let key = Array(session.utf8)
        var out: [UInt8] = [kind, UInt8(truncatingIfNeeded: key.count >> 8), UInt8(truncatingIfNeeded: key.count)]
        out += key
        switch self {
        case .open(_, let open): out += (try? JSONEncoder().encode(open)).map(Array.init) ?? []
        case .request(_, let bytes), .response(_, let bytes): out += bytes
        case .close: break
        case .end(_, let reason): out += Array(reason.utf8)
        case .agentDispatch(let job): out += (try? JSONEncoder().encode(job)).map(Array.init) ?? []
        case .agentCancel(let room), .agentCancelDispatch(_, let room): out += Array(room.utf8)
        }
        return out
    }

    init(decoding bytes: [UInt8]) throws(DecodingError) {
        guard bytes.count >= 3 else { throw .truncated }
        let keyLength = Int(bytes[1]) << 8 | Int(bytes[2])
        guard bytes.count >= 3 + keyLength else { throw .truncated }
        let session = String(decoding: bytes[3..<(3 + keyLength)], as: UTF8.self)
        let payload = Array(bytes[(3 + keyLength)...])
        switch bytes[0] {
        case 1:
            guard let open = try? JSONDecoder().decode(Open.self, from: Data(payload)) else { throw .badOpen }
            self = .open(session: session, open)
        case 2: self = .request(session: session, bytes: payload)
        case 3: self = .close(session: session)
        case 4: self = .response(session: session, bytes: payload)
        case 5: self = .end(session: session, reason: String(decoding: payload, as: UTF8.self))
        case 6:
            guard let job = try? JSONDecoder().decode(RemoteAgentDispatch.self, from: Data(payload)) else { throw .badOpen }
            self = .agentDispatch(job)
        case 7: self = .agentCancel(room: String(decoding: payload, as: UTF8.self))
        case 8: self = .agentCancelDispatch(session, room: String(decoding: payload, as: UTF8.self))
        case let other: throw .unknownKind(other)
        }
    }
}
