import Foundation

/// Uploads a local file to one S3 object: a single PUT below `partSize`, a multipart upload
/// (CreateMultipartUpload, UploadPart, CompleteMultipartUpload) at or above it. Transient failures
/// (5xx, timeouts, transport errors) are retried per request with exponential backoff; other 4xx
/// answers fail at once with the S3 error code and message. The local file is never deleted.
public struct S3Uploader: Sendable {
    /// S3 rejects parts smaller than 5 MiB (except the last) and more than 10,000 parts.
    static let minimumPartSize = 5 << 20
    static let maximumPartCount = 10_000

    public let destination: S3Destination
    public let partSize: Int
    let policy: RetryPolicy

    public init(destination: S3Destination, partSize: Int = 8 << 20, maxAttempts: Int = 5, initialBackoff: Double = 0.5) {
        self.destination = destination
        self.partSize = max(partSize, Self.minimumPartSize)
        policy = RetryPolicy(maxAttempts: maxAttempts, initialBackoff: initialBackoff)
    }

    /// Part size actually used for a file of `size` bytes (grown to stay within 10,000 parts).
    func effectivePartSize(forFileSize size: Int) -> Int {
        let needed = (size + Self.maximumPartCount - 1) / Self.maximumPartCount
        return max(partSize, needed)
    }

    public func upload(file path: String, contentType: String) async throws(StorageError) -> UploadResult {
        let file = try LocalFile(path: path)
        let location = try destination.location()
        let client = S3Client(destination: destination, policy: policy)
        defer { client.close() }
        let partSize = effectivePartSize(forFileSize: file.size)
        let etag: String?
        if file.size < partSize {
            etag = try await putObject(file: file, contentType: contentType, client: client)
        } else {
            etag = try await multipartUpload(file: file, partSize: partSize, contentType: contentType, client: client)
        }
        return UploadResult(location: location, size: file.size, etag: etag)
    }

    /// PutObject: the whole file in one request.
    private func putObject(file: LocalFile, contentType: String, client: S3Client) async throws(StorageError) -> String? {
        let body = try file.read(offset: 0, length: file.size)
        let response = try await client.send(method: "PUT", headers: ["Content-Type": contentType], body: body)
        return response.headers["etag"].map(S3XML.unquotedETag)
    }

    private func multipartUpload(
        file: LocalFile, partSize: Int, contentType: String, client: S3Client
    ) async throws(StorageError) -> String? {
        // CreateMultipartUpload: POST /key?uploads
        let created = try await client.send(method: "POST", query: [("uploads", nil)], headers: ["Content-Type": contentType])
        guard let uploadId = S3XML.firstElement("UploadId", in: created.body), !uploadId.isEmpty else {
            throw .transport("CreateMultipartUpload answer has no UploadId")
        }
        do throws(StorageError) {
            var parts: [(number: Int, etag: String)] = []
            var offset = 0
            var number = 1
            while offset < file.size {
                let length = min(partSize, file.size - offset)
                let body = try file.read(offset: offset, length: length)
                // UploadPart: PUT /key?partNumber=N&uploadId=ID, retried on its own.
                let response = try await client.send(
                    method: "PUT", query: [("partNumber", String(number)), ("uploadId", uploadId)], body: body)
                guard let etag = response.headers["etag"], !etag.isEmpty else {
                    throw .transport("UploadPart \(number) answer has no ETag")
                }
                parts.append((number, etag))
                offset += length
                number += 1
            }
            // CompleteMultipartUpload: POST /key?uploadId=ID with the part list.
            let completeBody = Data(S3XML.completeMultipartUpload(parts: parts).utf8)
            let completed = try await client.send(
                method: "POST", query: [("uploadId", uploadId)], headers: ["Content-Type": "application/xml"],
                body: completeBody, errorInSuccessBody: true)
            return S3XML.firstElement("ETag", in: completed.body).map(S3XML.unquotedETag)
                ?? completed.headers["etag"].map(S3XML.unquotedETag)
        } catch {
            await abort(uploadId: uploadId, client: client)
            throw error
        }
    }

    /// AbortMultipartUpload: DELETE /key?uploadId=ID, best effort (its own failure is ignored so
    /// the caller sees the error that stopped the upload).
    private func abort(uploadId: String, client: S3Client) async {
        let quick = RetryPolicy(maxAttempts: 2, initialBackoff: min(policy.initialBackoff, 0.5))
        _ = try? await client.send(method: "DELETE", query: [("uploadId", uploadId)], timeout: 30, policy: quick)
    }
}
