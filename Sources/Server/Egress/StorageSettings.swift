import Signal

/// `[storage]` in sfu.toml: where recordings go.
struct StorageSettings: Sendable, Equatable {
    /// Local folder for every recording (kept until an upload is confirmed, and after a failure).
    var localDirectory = "recordings"
    /// Default S3-compatible target when a request gives none (empty bucket = local only).
    var s3AccessKey = ""
    var s3Secret = ""
    var s3Region = ""
    var s3Endpoint = ""
    var s3Bucket = ""
    var s3ForcePathStyle = false

    func target(from upload: Livekit_S3Upload, key: String) -> S3Target {
        S3Target(accessKey: upload.accessKey, secret: upload.secret,
                 sessionToken: upload.sessionToken.isEmpty ? nil : upload.sessionToken,
                 region: upload.region.isEmpty ? "us-east-1" : upload.region,
                 endpoint: upload.endpoint.isEmpty ? nil : upload.endpoint,
                 bucket: upload.bucket, forcePathStyle: upload.forcePathStyle, key: key)
    }

    func defaultTarget(key: String) -> S3Target? {
        guard !s3Bucket.isEmpty else { return nil }
        return S3Target(accessKey: s3AccessKey, secret: s3Secret, sessionToken: nil,
                        region: s3Region.isEmpty ? "us-east-1" : s3Region,
                        endpoint: s3Endpoint.isEmpty ? nil : s3Endpoint,
                        bucket: s3Bucket, forcePathStyle: s3ForcePathStyle, key: key)
    }
}
