import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import Hummingbird
import NIOCore
import Signal

/// The Twirp APIs through any node of a deployment (issue 10 part 2): a call about a room is
/// answered by the room's node, a listing by every node. It forwards the caller's request as
/// it came (same path, body, encoding and token, which the other node checks again) over HTTP
/// to the node's `http` address from its registry record, marked `x-sfu-forwarded` so that
/// node answers it itself.
final class TwirpForwarder: Sendable {  // URLSession is thread-safe; the rest is immutable.
    static let forwardedField = HTTPField.Name("x-sfu-forwarded")!
    static let timeout = 10.0

    struct Call: Sendable {
        var path: String
        var contentType: String
        var token: String
        var body: [UInt8]
    }

    struct Reply: Sendable {
        var status: Int
        var contentType: String
        var body: [UInt8]

        var response: Response {
            Response(status: HTTPResponse.Status(code: status), headers: [.contentType: contentType],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    let directory: RoomDirectory
    let registry: NodeRegistry
    private let session: URLSession

    init(directory: RoomDirectory, registry: NodeRegistry) {
        self.directory = directory
        self.registry = registry
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = Self.timeout
        configuration.timeoutIntervalForResource = Self.timeout
        session = URLSession(configuration: configuration)
    }

    /// The reply for `call` when another node must answer (or help answer) it; nil when this
    /// node answers alone. `local` runs the method here.
    func route(_ call: Call, method: TwirpMethod, json: Bool, local: () async throws -> [UInt8]) async throws -> Reply? {
        switch method.routing {
        case .here:
            return nil
        case .roomOwner(let creates):
            guard let room = method.roomOf(call.body, json), !room.isEmpty else { return nil }
            let route = creates ? try await directory.route(room) : try await directory.lookup(room)
            guard case .remote(let id) = route, let node = try await directory.node(id) else {
                return nil
            }
            return try await send(call, to: node)
        case .everyNode(let merge):
            var replies = [try await local()]
            for node in try await others() {
                // A node that cannot answer now (stopping, unreachable) is left out of the listing.
                guard let reply = try? await send(call, to: node), reply.status == 200 else { continue }
                replies.append(reply.body)
            }
            return Reply(status: 200, contentType: json ? "application/json" : "application/protobuf", body: try merge(replies, json))
        case .firstFound:
            do {
                return Reply(status: 200, contentType: json ? "application/json" : "application/protobuf", body: try await local())
            } catch let error where Self.isNotFound(error) {
                for node in try await others() {
                    if let reply = try? await send(call, to: node), reply.status != 404 { return reply }
                }
                throw error
            }
        }
    }

    private func others() async throws -> [NodeRecord] {
        let me = registry.nodeID
        return try await registry.liveNodes().filter { $0.id != me }
    }

    static func isNotFound(_ error: Error) -> Bool {
        if case .notFound = error as? AdminError { return true }
        return (error as? TwirpError)?.code == "not_found"
    }

    func send(_ call: Call, to node: NodeRecord) async throws -> Reply {
        guard let url = URL(string: "http://\(node.http)\(call.path)") else {
            throw TwirpError(code: "internal", message: "node \(node.id) has no usable address \(node.http)")
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: Self.timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(call.body)
        request.setValue(call.contentType, forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(call.token)", forHTTPHeaderField: "Authorization")
        request.setValue("1", forHTTPHeaderField: Self.forwardedField.rawName)
        let (data, response) = try await session.data(for: request)
        let http = response as? HTTPURLResponse
        return Reply(status: http?.statusCode ?? 502,
                     contentType: http?.value(forHTTPHeaderField: "Content-Type") ?? "application/json",
                     body: Array(data))
    }
}
