import Foundation
import XCTest
@testable import Storage

final class AddressingAndRetryTests: XCTestCase {
    private func destination(endpoint: String?, pathStyle: Bool = false, bucket: String = "rec",
                             key: String = "rooms/a b/x.mp4", region: String = "") -> S3Destination {
        S3Destination(accessKey: "A", secret: "S", region: region, endpoint: endpoint, bucket: bucket,
                      forcePathStyle: pathStyle, key: key)
    }

    func testAWSDefaultIsVirtualHosted() throws {
        let url = try destination(endpoint: nil, region: "eu-west-1").objectURL()
        XCTAssertEqual(url.absoluteString, "https://rec.s3.eu-west-1.amazonaws.com/rooms/a%20b/x.mp4")
        XCTAssertEqual(destination(endpoint: nil).signingRegion, "us-east-1")
        XCTAssertEqual(try destination(endpoint: nil).objectURL().host, "rec.s3.us-east-1.amazonaws.com")
    }

    func testPathStyleAndQuery() throws {
        let url = try destination(endpoint: "http://127.0.0.1:5000", key: "/k+1.mp4")
            .objectURL(query: [("partNumber", "3"), ("uploadId", "a/b=")])
        XCTAssertEqual(url.absoluteString, "http://127.0.0.1:5000/rec/k%2B1.mp4?partNumber=3&uploadId=a%2Fb%3D")
        let uploads = try destination(endpoint: "https://minio.local:9000/", pathStyle: true, key: "k")
            .objectURL(query: [("uploads", nil)])
        XCTAssertEqual(uploads.absoluteString, "https://minio.local:9000/rec/k?uploads")
    }

    func testEndpointWithoutSchemeIsHTTPSAndVirtualHosted() throws {
        let url = try destination(endpoint: "storage.example.com", key: "k").objectURL()
        XCTAssertEqual(url.absoluteString, "https://rec.storage.example.com/k")
    }

    func testInvalidDestinationsThrow() {
        XCTAssertThrowsError(try destination(endpoint: "ftp://x").objectURL())
        XCTAssertThrowsError(try destination(endpoint: nil, bucket: "").objectURL())
        XCTAssertThrowsError(try destination(endpoint: nil, key: "///").objectURL())
    }

    func testRetryClassification() {
        XCTAssertTrue(RetryPolicy.isRetryable(.http(status: 500, code: "InternalError", message: "")))
        XCTAssertTrue(RetryPolicy.isRetryable(.http(status: 503, code: "SlowDown", message: "")))
        XCTAssertTrue(RetryPolicy.isRetryable(.http(status: 400, code: "RequestTimeout", message: "")))
        XCTAssertTrue(RetryPolicy.isRetryable(.transport("timed out")))
        XCTAssertFalse(RetryPolicy.isRetryable(.http(status: 403, code: "SignatureDoesNotMatch", message: "")))
        XCTAssertFalse(RetryPolicy.isRetryable(.http(status: 403, code: "InvalidAccessKeyId", message: "")))
        XCTAssertFalse(RetryPolicy.isRetryable(.http(status: 404, code: "NoSuchBucket", message: "")))
        XCTAssertFalse(RetryPolicy.isRetryable(.file("gone")))
    }

    func testExponentialBackoff() {
        let policy = RetryPolicy(maxAttempts: 5, initialBackoff: 0.5)
        XCTAssertEqual((1...4).map { policy.delay(afterAttempt: $0) }, [0.5, 1, 2, 4])
        XCTAssertEqual(policy.delay(afterAttempt: 40), 20)
        XCTAssertEqual(RetryPolicy(maxAttempts: 0, initialBackoff: -1).maxAttempts, 1)
    }

    func testPartSizeRules() {
        let uploader = S3Uploader(destination: destination(endpoint: nil), partSize: 1024)
        XCTAssertEqual(uploader.partSize, 5 << 20)
        XCTAssertEqual(uploader.effectivePartSize(forFileSize: 11 << 20), 5 << 20)
        XCTAssertEqual(uploader.effectivePartSize(forFileSize: 100_000 << 20), 10 << 20)
    }

    func testMissingFileFailsWithFileError() async {
        let uploader = S3Uploader(destination: destination(endpoint: "http://127.0.0.1:9"))
        do {
            _ = try await uploader.upload(file: "/nonexistent/recording.mp4", contentType: "video/mp4")
            XCTFail("expected an error")
        } catch {
            guard case .file = error else { return XCTFail("expected .file, got \(error)") }
        }
    }

    func testConnectionRefusedIsRetriedThenTransportError() async throws {
        let path = NSTemporaryDirectory() + "storage-refused-\(getpid()).bin"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let uploader = S3Uploader(destination: destination(endpoint: "http://127.0.0.1:9", key: "k"),
                                  maxAttempts: 2, initialBackoff: 0.01)
        do {
            _ = try await uploader.upload(file: path, contentType: "application/octet-stream")
            XCTFail("expected an error")
        } catch {
            guard case .transport = error else { return XCTFail("expected .transport, got \(error)") }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "the local file must be kept")
    }

    func testLocalFileRanges() throws {
        let path = NSTemporaryDirectory() + "storage-range-\(getpid()).bin"
        try Data((0..<100).map { UInt8($0) }).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try LocalFile(path: path)
        XCTAssertEqual(file.size, 100)
        XCTAssertEqual(try file.read(offset: 98, length: 2), Data([98, 99]))
        XCTAssertThrowsError(try file.read(offset: 99, length: 2))
        XCTAssertThrowsError(try file.read(offset: -1, length: 2))
        XCTAssertThrowsError(try LocalFile(path: NSTemporaryDirectory()))
    }
}
