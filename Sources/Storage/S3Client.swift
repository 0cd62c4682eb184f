import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends signed requests for one object (`S3Destination`) and repeats the transient failures.
/// Each attempt is signed afresh (a new `x-amz-date`); the payload is hashed once.
struct S3Client: Sendable {  // URLSession is thread-safe; it is only used through its API.
    struct Response: Sendable {
        var status: Int
        /// Header names lower-cased.
        var headers: [String: String]
        var body: Data
    }

    let destination: S3Destination
    let policy: RetryPolicy
    private let session: URLSession

    init(destination: S3Destination, policy: RetryPolicy) {
        self.destination = destination
        self.policy = policy
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    /// Lets running tasks finish, then releases the session.
    func close() { session.finishTasksAndInvalidate() }

    /// One S3 operation with retries. `errorInSuccessBody`: treat a 200 whose body is an S3
    /// `<Error>` document as that error (CompleteMultipartUpload can answer that way).
    func send(
        method: String, query: [(String, String?)] = [], headers: [String: String] = [:],
        body: Data = Data(), timeout: Double = 120, errorInSuccessBody: Bool = false,
        policy override: RetryPolicy? = nil
    ) async throws(StorageError) -> Response {
        let policy = override ?? self.policy
        let url = try destination.objectURL(query: query)
        let payloadHash = SigV4.payloadHash(body)
        let bodyData = body.isEmpty ? nil : body
        var attempt = 0
        while true {
            attempt += 1
            let failure: StorageError
            do {
                let response = try await attemptOnce(
                    method: method, url: url, headers: headers, body: bodyData,
                    payloadHash: payloadHash, timeout: timeout)
                if (200..<300).contains(response.status) {
                    guard errorInSuccessBody, let xmlError = S3XML.error(in: response.body) else { return response }
                    failure = .http(status: response.status, code: xmlError.code,
                                  message: xmlError.message ?? "error in a 200 response")
                } else {
                    failure = Self.httpError(response)
                }
            } catch {
                failure = error
            }
            guard RetryPolicy.isRetryable(failure), attempt < policy.maxAttempts, !Task.isCancelled else { throw failure }
            let delay = policy.delay(afterAttempt: attempt)
            if delay > 0 {
                do { try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) } catch { throw failure }
            }
        }
    }

    private func attemptOnce(
        method: String, url: URL, headers: [String: String], body: Data?, payloadHash: String, timeout: Double
    ) async throws(StorageError) -> Response {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        SigV4.sign(
            request: &request, payloadHash: payloadHash, accessKey: destination.accessKey,
            secret: destination.secret, sessionToken: destination.sessionToken,
            region: destination.signingRegion, service: "s3", date: Date())
        let data: Data
        let urlResponse: URLResponse
        do {
            if let body {
                (data, urlResponse) = try await session.upload(for: request, from: body)
            } else {
                (data, urlResponse) = try await session.data(for: request)
            }
        } catch {
            throw .transport("\(method) \(url.absoluteString): \(error.localizedDescription)")
        }
        guard let http = urlResponse as? HTTPURLResponse else {
            throw .transport("\(method) \(url.absoluteString): not an HTTP response")
        }
        var lowered: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { lowered[name.lowercased()] = value }
        }
        return Response(status: http.statusCode, headers: lowered, body: data)
    }

    /// A non-2xx answer as `StorageError.http`, with code and message from the S3 XML body.
    static func httpError(_ response: Response) -> StorageError {
        let parsed = S3XML.error(in: response.body)
        var message = parsed?.message ?? ""
        if message.isEmpty {
            let text = String(decoding: response.body.prefix(200), as: UTF8.self)
            message = text.isEmpty ? HTTPURLResponse.localizedString(forStatusCode: response.status) : text
        }
        return .http(status: response.status, code: parsed?.code, message: message)
    }
}
