import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SwiftProtobuf

/// A failed Twirp call. `description` is `<code>: <msg>`, as the CLI prints it after `error: `.
public enum TwirpClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server answered non-2xx; `code` and `msg` come from its Twirp JSON error body.
    case server(status: Int, code: String, msg: String)
    /// No answer: connection refused, timeout, bad URL.
    case transport(String)
    /// A 2xx answer whose body is not the expected protobuf message.
    case malformedResponse(String)

    public var code: String {
        switch self {
        case .server(_, let code, _): return code
        case .transport: return "unavailable"
        case .malformedResponse: return "malformed"
        }
    }

    public var message: String {
        switch self {
        case .server(_, _, let msg): return msg
        case .transport(let reason): return reason
        case .malformedResponse(let reason): return reason
        }
    }

    public var description: String { "\(code): \(message)" }
}

/// A Twirp client speaking binary protobuf (Twirp wire protocol v7):
/// `POST {base}/twirp/<package.Service>/<Method>`, `Content-Type: application/protobuf`,
/// errors as JSON `{"code","msg"}` with a non-2xx status.
public struct TwirpClient: Sendable {
    public let baseURL: String
    public let timeout: TimeInterval

    /// `baseURL` is scheme + host + port (optionally a path prefix), e.g. `http://127.0.0.1:7880`.
    public init(baseURL: String, timeout: TimeInterval = 15) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.timeout = timeout
    }

    public func call<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        service: String, method: String, request: Request, bearerToken: String,
        as responseType: Response.Type = Response.self
    ) async throws(TwirpClientError) -> Response {
        guard let url = URL(string: "\(baseURL)/twirp/\(service)/\(method)") else {
            throw .transport("invalid URL \(baseURL)")
        }
        let body: Data
        do { body = try request.serializedData() } catch {
            throw .malformedResponse("cannot encode request: \(error)")
        }
        var urlRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        urlRequest.httpMethod = "POST"
        urlRequest.setValue("application/protobuf", forHTTPHeaderField: "Content-Type")
        urlRequest.setValue("application/protobuf", forHTTPHeaderField: "Accept")
        urlRequest.setValue("Bearer \(bearerToken)", forHTTPHeaderField: "Authorization")
        urlRequest.httpBody = body

        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch {
            throw .transport("\(url.absoluteString): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else { throw .transport("not an HTTP response") }
        guard (200..<300).contains(http.statusCode) else {
            let error = TwirpErrorBody.decode(data, status: http.statusCode)
            throw .server(status: http.statusCode, code: error.code, msg: error.msg)
        }
        do {
            return try Response(serializedBytes: data)
        } catch {
            throw .malformedResponse("cannot decode \(Response.protoMessageName): \(error)")
        }
    }
}

/// The JSON body of a Twirp error (Twirp wire protocol v7, "Error codes").
public struct TwirpErrorBody: Codable, Equatable, Sendable {
    public var code: String
    public var msg: String

    public init(code: String, msg: String) {
        self.code = code
        self.msg = msg
    }

    /// Reads `{"code","msg"}`; a body that is not Twirp JSON (a proxy's HTML page, say) yields
    /// the code Twirp maps the HTTP status to and the body text as the message.
    public static func decode(_ data: Data, status: Int) -> TwirpErrorBody {
        struct Loose: Decodable { var code: String?; var msg: String? }
        if let loose = try? JSONDecoder().decode(Loose.self, from: data), let code = loose.code, !code.isEmpty {
            return TwirpErrorBody(code: code, msg: loose.msg ?? "")
        }
        let text = String(decoding: data.prefix(512), as: UTF8.self).trimmingWhitespace()
        return TwirpErrorBody(code: codeForStatus(status), msg: text.isEmpty ? "HTTP status \(status)" : text)
    }

    /// Twirp's mapping for errors that did not come from a Twirp server.
    static func codeForStatus(_ status: Int) -> String {
        switch status {
        case 400: return "internal"
        case 401: return "unauthenticated"
        case 403: return "permission_denied"
        case 404: return "bad_route"
        case 429, 502, 503, 504: return "unavailable"
        default: return "unknown"
        }
    }
}
