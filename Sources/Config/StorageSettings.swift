/// `[storage]` in sfu.toml: where recordings go.
package struct StorageSettings: Sendable, Equatable {
    /// Local folder for every recording (kept until an upload is confirmed, and after a failure).
    package var localDirectory = "recordings"
    /// Default S3-compatible target when a request gives none (empty bucket = local only).
    package var s3AccessKey = ""
    package var s3Secret = ""
    package var s3Region = ""
    package var s3Endpoint = ""
    package var s3Bucket = ""
    package var s3ForcePathStyle = false

    package init() {}
}
