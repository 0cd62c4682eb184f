/// Why an upload to object storage failed.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server answered with a non-2xx status (or a 200 carrying an S3 `<Error>` body).
    /// `code` and `message` come from the S3 XML error body (`<Code>`, `<Message>`) when there is one.
    case http(status: Int, code: String?, message: String)
    /// The request never got an HTTP answer: connection refused, timeout, malformed response.
    case transport(String)
    /// The local file could not be read (missing, unreadable, changed size while uploading).
    case file(String)

    public var description: String {
        switch self {
        case let .http(status, code, message):
            if let code { return "S3 error \(status) \(code): \(message)" }
            return "S3 error \(status): \(message)"
        case let .transport(reason):
            return "S3 transport error: \(reason)"
        case let .file(reason):
            return "local file error: \(reason)"
        }
    }
}

/// Where an uploaded object landed.
public struct UploadResult: Sendable, Equatable {
    /// URL of the object (path-style or virtual-hosted, as it was uploaded).
    public var location: String
    /// Size in bytes of the uploaded object (the size of the local file).
    public var size: Int
    /// The object's ETag without surrounding quotes, when the server sent one.
    public var etag: String?

    public init(location: String, size: Int, etag: String?) {
        self.location = location
        self.size = size
        self.etag = etag
    }
}
