import Foundation

/// One object in S3-compatible storage and the credentials to write it.
public struct S3Destination: Sendable, Equatable {
    public var accessKey: String
    public var secret: String
    public var sessionToken: String?
    /// Signing region; an empty string means "us-east-1".
    public var region: String
    /// e.g. "http://127.0.0.1:5000"; nil means AWS (`https://s3.<region>.amazonaws.com`).
    /// A value without a scheme is taken as https.
    public var endpoint: String?
    public var bucket: String
    /// Path-style addressing (`endpoint/bucket/key`) instead of virtual-hosted (`bucket.endpoint/key`).
    /// Path style is also used when the endpoint host is an IP address or `localhost`.
    public var forcePathStyle: Bool
    /// Object key; leading slashes are ignored.
    public var key: String

    public init(
        accessKey: String, secret: String, sessionToken: String? = nil, region: String = "us-east-1",
        endpoint: String? = nil, bucket: String, forcePathStyle: Bool = false, key: String
    ) {
        self.accessKey = accessKey
        self.secret = secret
        self.sessionToken = sessionToken
        self.region = region
        self.endpoint = endpoint
        self.bucket = bucket
        self.forcePathStyle = forcePathStyle
        self.key = key
    }

    /// The region used for signing.
    public var signingRegion: String { region.isEmpty ? "us-east-1" : region }

    /// URL of the object, with `query` appended in the given order (a nil value gives a bare
    /// name such as `?uploads`).
    func objectURL(query: [(String, String?)] = []) throws(StorageError) -> URL {
        let base: String
        if let endpoint, !endpoint.isEmpty {
            base = endpoint.contains("://") ? endpoint : "https://" + endpoint
        } else {
            base = "https://s3.\(signingRegion).amazonaws.com"
        }
        guard var components = URLComponents(string: base), let host = components.host, !host.isEmpty,
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { throw .transport("invalid S3 endpoint \(base)") }
        let encodedKey = try encodedBucketAndKey()

        var prefix = components.percentEncodedPath
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if usesPathStyle(host: host, scheme: scheme) {
            components.percentEncodedPath = prefix + "/" + AWSURIEncoding.encode(bucket) + "/" + encodedKey
        } else {
            components.host = bucket + "." + host
            components.percentEncodedPath = prefix + "/" + encodedKey
        }
        if query.isEmpty {
            components.percentEncodedQuery = nil
        } else {
            components.percentEncodedQuery = query.map { name, value in
                let encodedName = AWSURIEncoding.encode(name)
                guard let value else { return encodedName }
                return encodedName + "=" + AWSURIEncoding.encode(value)
            }.joined(separator: "&")
        }
        guard let url = components.url else { throw .transport("cannot build S3 URL from \(base)") }
        return url
    }

    /// The object's address as reported to users (LiveKit's `FileInfo.location`): on AWS, the
    /// region-less `https://<bucket>.s3.amazonaws.com/<key>` LiveKit reports (path style:
    /// `https://s3.amazonaws.com/<bucket>/<key>`); with a custom endpoint, the URL written to,
    /// keeping the endpoint's scheme and port so it can be fetched as given.
    public func location() throws(StorageError) -> String {
        if let endpoint, !endpoint.isEmpty { return try objectURL().absoluteString }
        let encodedKey = try encodedBucketAndKey()
        if usesPathStyle(host: "s3.amazonaws.com", scheme: "https") {
            return "https://s3.amazonaws.com/" + AWSURIEncoding.encode(bucket) + "/" + encodedKey
        }
        return "https://" + bucket + ".s3.amazonaws.com/" + encodedKey
    }

    /// The key, without leading slashes, URI-encoded with its slashes kept; checks the bucket too.
    private func encodedBucketAndKey() throws(StorageError) -> String {
        guard !bucket.isEmpty else { throw .transport("empty S3 bucket name") }
        var objectKey = Substring(key)
        while objectKey.first == "/" { objectKey = objectKey.dropFirst() }
        guard !objectKey.isEmpty else { throw .transport("empty S3 object key") }
        return AWSURIEncoding.encode(objectKey, keepSlash: true)
    }

    private func usesPathStyle(host: String, scheme: String) -> Bool {
        if forcePathStyle { return true }
        if host == "localhost" || host.contains(":") { return true }  // localhost, IPv6 literal
        if host.split(separator: ".").count == 4, host.allSatisfy({ $0.isNumber || $0 == "." }) {
            return true  // IPv4 literal
        }
        // A dotted bucket name breaks the wildcard TLS certificate of virtual-hosted https.
        if scheme == "https", bucket.contains(".") { return true }
        return false
    }
}
