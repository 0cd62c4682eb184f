import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// AWS Signature Version 4, header-based ("Authorization: AWS4-HMAC-SHA256 ..."), as described in
/// the AWS documentation "Signature Calculations for the Authorization Header: Transferring Payload
/// in a Single Chunk". The payload is always hashed (`x-amz-content-sha256` = hex SHA-256 of the
/// body); `UNSIGNED-PAYLOAD` is not used.
public enum SigV4 {
    /// Headers never signed: the signature itself and headers that HTTP stacks add or rewrite.
    static let unsignedHeaders: Set<String> = [
        "authorization", "user-agent", "expect", "x-amzn-trace-id", "connection",
        "transfer-encoding", "content-length", "accept-encoding",
    ]

    /// Every intermediate value of one signature, exposed for tests against the AWS examples.
    struct Computation: Equatable {
        var canonicalRequest: String
        var stringToSign: String
        var signedHeaders: String
        var signature: String
        var authorization: String
    }

    /// Signs `request` in place: sets `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token`
    /// (when `sessionToken` is given) and `Authorization`. Every header already on the request
    /// (except `unsignedHeaders`) plus `host` is signed.
    public static func sign(
        request: inout URLRequest, body: [UInt8], accessKey: String, secret: String,
        sessionToken: String?, region: String, service: String = "s3", date: Date = Date()
    ) {
        sign(request: &request, payloadHash: payloadHash(body), accessKey: accessKey, secret: secret,
             sessionToken: sessionToken, region: region, service: service, date: date)
    }

    /// Hex SHA-256 of a payload, the value of `x-amz-content-sha256`.
    static func payloadHash(_ body: some DataProtocol) -> String {
        AWSURIEncoding.hex(SHA256.hash(data: body))
    }

    /// Signs with a precomputed payload hash (so a retried request does not hash its body again).
    static func sign(
        request: inout URLRequest, payloadHash: String, accessKey: String, secret: String,
        sessionToken: String?, region: String, service: String, date: Date
    ) {
        let stamp = Timestamp(date)
        request.setValue(stamp.amzDate, forHTTPHeaderField: "x-amz-date")
        request.setValue(payloadHash, forHTTPHeaderField: "x-amz-content-sha256")
        if let sessionToken, !sessionToken.isEmpty {
            request.setValue(sessionToken, forHTTPHeaderField: "x-amz-security-token")
        }
        let computation = compute(
            request: request, payloadHash: payloadHash, accessKey: accessKey, secret: secret,
            region: region, service: service, timestamp: stamp)
        request.setValue(computation.authorization, forHTTPHeaderField: "Authorization")
    }

    /// Builds canonical request, string to sign and signature for `request` as it stands.
    static func compute(
        request: URLRequest, payloadHash: String, accessKey: String, secret: String,
        region: String, service: String, timestamp: Timestamp
    ) -> Computation {
        let url = request.url ?? URL(string: "/")!
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let headers = canonicalHeaders(request: request, url: url)
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        var canonicalHeaderBlock = ""
        for header in headers { canonicalHeaderBlock += "\(header.name):\(header.value)\n" }

        // Canonical request: method, URI, query, headers, signed header list, payload hash.
        let canonicalRequest = [
            (request.httpMethod ?? "GET").uppercased(),
            canonicalURI(percentEncodedPath: components?.percentEncodedPath ?? "/", service: service),
            canonicalQuery(percentEncodedQuery: components?.percentEncodedQuery),
            canonicalHeaderBlock,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(timestamp.dateStamp)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", timestamp.amzDate, scope,
            AWSURIEncoding.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        // Signing key: HMAC chain over date, region, service and "aws4_request".
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [timestamp.dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = AWSURIEncoding.hex(
            HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope),"
            + "SignedHeaders=\(signedHeaders),Signature=\(signature)"
        return Computation(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign,
            signedHeaders: signedHeaders, signature: signature, authorization: authorization)
    }

    /// Path segments decoded and re-encoded with `UriEncode` ('/' kept). S3 encodes once; other
    /// services encode the already-encoded path a second time.
    static func canonicalURI(percentEncodedPath: String, service: String) -> String {
        let path = percentEncodedPath.isEmpty ? "/" : percentEncodedPath
        let once = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { AWSURIEncoding.encode(AWSURIEncoding.decode($0)) }
            .joined(separator: "/")
        if service == "s3" { return once }
        return AWSURIEncoding.encode(once, keepSlash: true)
    }

    /// Query parameters decoded, re-encoded and sorted by name then value; a bare name
    /// (`?uploads`) becomes `uploads=`.
    static func canonicalQuery(percentEncodedQuery: String?) -> String {
        guard let query = percentEncodedQuery, !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = item.firstIndex(of: "=") {
                name = item[..<equals]
                value = item[item.index(after: equals)...]
            } else {
                name = item
                value = ""
            }
            pairs.append((AWSURIEncoding.encode(AWSURIEncoding.decode(name)),
                          AWSURIEncoding.encode(AWSURIEncoding.decode(value))))
        }
        pairs.sort { lhs, rhs in
            lhs.0 != rhs.0 ? lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8)
                : lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8)
        }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Lower-cased names, values trimmed with inner whitespace runs collapsed, sorted by name;
    /// `host` added from the URL (with a non-default port) unless the request carries one.
    static func canonicalHeaders(request: URLRequest, url: URL) -> [(name: String, value: String)] {
        var merged: [String: String] = [:]
        for (name, value) in request.allHTTPHeaderFields ?? [:] {
            let lower = name.lowercased()
            if unsignedHeaders.contains(lower) { continue }
            let clean = collapseWhitespace(value)
            if let existing = merged[lower] { merged[lower] = existing + "," + clean } else { merged[lower] = clean }
        }
        if merged["host"] == nil { merged["host"] = hostHeader(for: url) }
        return merged.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { (name: $0.key, value: $0.value) }
    }

    /// The Host header an HTTP client sends for `url` (RFC 9110 §7.2: port only when not the default).
    static func hostHeader(for url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        let scheme = url.scheme?.lowercased()
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { return host }
        return "\(host):\(port)"
    }

    private static func collapseWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// `x-amz-date` (ISO 8601 basic, UTC) and the credential-scope date of one signing instant.
    struct Timestamp: Equatable {
        var amzDate: String
        var dateStamp: String

        init(_ date: Date) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(secondsFromGMT: 0)!
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            func pad(_ value: Int?, _ width: Int) -> String {
                let text = String(value ?? 0)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            dateStamp = pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2)
            amzDate = dateStamp + "T" + pad(parts.hour, 2) + pad(parts.minute, 2) + pad(parts.second, 2) + "Z"
        }
    }
}
