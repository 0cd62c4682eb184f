import Config
import Signal

/// Where `[storage]` sends a recording.
extension StorageSettings {
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
