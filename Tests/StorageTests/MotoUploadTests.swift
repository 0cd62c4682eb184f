import Foundation
import XCTest
@testable import Storage

/// Uploads against a real moto S3 server with SigV4 checking on (see `MotoServer`).
final class MotoUploadTests: XCTestCase {
    override class func tearDown() {
        MotoServer.stopShared()
        super.tearDown()
    }

    private var moto: MotoServer!
    private var files: [String] = []

    override func setUpWithError() throws {
        moto = try MotoServer.sharedInstance()
    }

    override func tearDown() {
        for file in files { try? FileManager.default.removeItem(atPath: file) }
        super.tearDown()
    }

    // MARK: helpers

    private func destination(_ key: String, endpoint: String? = nil, secret: String? = nil,
                             accessKey: String? = nil) -> S3Destination {
        S3Destination(accessKey: accessKey ?? moto.accessKey, secret: secret ?? moto.secret, region: "us-east-1",
                      endpoint: endpoint ?? moto.endpoint, bucket: moto.bucket, forcePathStyle: true, key: key)
    }

    private func makeFile(size: Int, seed: UInt64) throws -> (path: String, bytes: [UInt8]) {
        var generator = SplitMix64(seed: seed)
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                var word = generator.next()
                for _ in 0..<8 where offset < raw.count {
                    raw[offset] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    offset += 1
                }
            }
        }
        let path = NSTemporaryDirectory() + "storage-moto-\(getpid())-\(seed).bin"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        files.append(path)
        return (path, bytes)
    }

    /// GetObject straight from moto, signed with the good key.
    private func download(_ key: String) async throws -> [UInt8] {
        let client = S3Client(destination: destination(key), policy: RetryPolicy(maxAttempts: 1, initialBackoff: 0))
        defer { client.close() }
        let response = try await client.send(method: "GET")
        return [UInt8](response.body)
    }

    private func expectError(_ uploader: S3Uploader, _ path: String) async -> StorageError? {
        do {
            let result = try await uploader.upload(file: path, contentType: "video/mp4")
            XCTFail("upload unexpectedly succeeded: \(result)")
            return nil
        } catch {
            return error
        }
    }

    // MARK: tests

    func testSmallFileIsPutAndReadsBack() async throws {
        let file = try makeFile(size: 100_000, seed: 1)
        let uploader = S3Uploader(destination: destination("rooms/room-1/small.mp4"))
        let result = try await uploader.upload(file: file.path, contentType: "video/mp4")
        XCTAssertEqual(result.location, "\(moto.endpoint)/recordings/rooms/room-1/small.mp4")
        XCTAssertEqual(result.size, 100_000)
        XCTAssertNotNil(result.etag)
        XCTAssertFalse(result.etag?.contains("\"") ?? true)
        let downloaded = try await download("rooms/room-1/small.mp4")
        XCTAssertEqual(downloaded, file.bytes)
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "the local file must be kept")
    }

    func testLargeFileUsesMultipartAndMatches() async throws {
        let proxy = try FailingProxy(upstreamPort: moto.port, rule: .requests([]))
        defer { proxy.stop() }
        let file = try makeFile(size: 11 << 20, seed: 2)
        let uploader = S3Uploader(destination: destination("big.mp4", endpoint: proxy.endpoint), partSize: 5 << 20)
        let result = try await uploader.upload(file: file.path, contentType: "video/mp4")
        XCTAssertEqual(result.size, 11 << 20)
        XCTAssertTrue(result.etag?.hasSuffix("-3") ?? false, "multipart ETag ends in -<parts>: \(String(describing: result.etag))")
        let log = try proxy.log()
        XCTAssertEqual(log.count, 5, "\(log)")
        XCTAssertEqual(log.first, "POST /recordings/big.mp4?uploads")
        XCTAssertEqual(log.filter { $0.hasPrefix("PUT /recordings/big.mp4?partNumber=") }.count, 3, "\(log)")
        XCTAssertTrue(log.last?.hasPrefix("POST /recordings/big.mp4?uploadId=") ?? false, "\(log)")
        let downloaded = try await download("big.mp4")
        XCTAssertEqual(downloaded.count, file.bytes.count)
        XCTAssertTrue(downloaded == file.bytes, "downloaded object differs from the local file")
    }

    func testWrongSecretFailsAtOnceWithSignatureDoesNotMatch() async throws {
        let proxy = try FailingProxy(upstreamPort: moto.port, rule: .requests([]))
        defer { proxy.stop() }
        let file = try makeFile(size: 1000, seed: 3)
        let uploader = S3Uploader(destination: destination("denied.mp4", endpoint: proxy.endpoint, secret: "wrong-secret"),
                                  maxAttempts: 5, initialBackoff: 1)
        let error = await expectError(uploader, file.path)
        guard case let .http(status, code, message)? = error else { return XCTFail("expected .http, got \(String(describing: error))") }
        XCTAssertEqual(status, 403)
        XCTAssertEqual(code, "SignatureDoesNotMatch")
        XCTAssertFalse(message.isEmpty)
        XCTAssertEqual(try proxy.log().count, 1, "a 403 must not be retried")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path))
    }

    func testUnknownAccessKeyFailsWithInvalidAccessKeyId() async throws {
        let file = try makeFile(size: 1000, seed: 4)
        let uploader = S3Uploader(destination: destination("denied2.mp4", accessKey: "AKIANOSUCHKEY0000000"),
                                  maxAttempts: 5, initialBackoff: 5)
        let started = Date()
        let error = await expectError(uploader, file.path)
        guard case let .http(status, code, _)? = error else { return XCTFail("expected .http, got \(String(describing: error))") }
        XCTAssertEqual(status, 403)
        XCTAssertEqual(code, "InvalidAccessKeyId")
        XCTAssertLessThan(Date().timeIntervalSince(started), 4, "a 403 must not wait for a retry")
    }

    func testPutIsRetriedAfter500s() async throws {
        let proxy = try FailingProxy(upstreamPort: moto.port, rule: .requests([1, 2]))
        defer { proxy.stop() }
        let file = try makeFile(size: 50_000, seed: 5)
        let uploader = S3Uploader(destination: destination("retried.mp4", endpoint: proxy.endpoint),
                                  maxAttempts: 5, initialBackoff: 0.05)
        let result = try await uploader.upload(file: file.path, contentType: "video/mp4")
        XCTAssertEqual(result.size, 50_000)
        XCTAssertEqual(try proxy.log(), Array(repeating: "PUT /recordings/retried.mp4", count: 3))
        let downloaded = try await download("retried.mp4")
        XCTAssertEqual(downloaded, file.bytes)
    }

    func testUploadPartIsRetriedOnItsOwn() async throws {
        // Request 1 is CreateMultipartUpload; 2 and 3 are the first two tries of part 1.
        let proxy = try FailingProxy(upstreamPort: moto.port, rule: .requests([2, 3]))
        defer { proxy.stop() }
        let file = try makeFile(size: (5 << 20) + 123, seed: 6)
        let uploader = S3Uploader(destination: destination("part-retry.mp4", endpoint: proxy.endpoint),
                                  partSize: 5 << 20, maxAttempts: 4, initialBackoff: 0.05)
        let result = try await uploader.upload(file: file.path, contentType: "video/mp4")
        XCTAssertTrue(result.etag?.hasSuffix("-2") ?? false, "\(String(describing: result.etag))")
        let log = try proxy.log()
        XCTAssertEqual(log.filter { $0.contains("partNumber=1&") }.count, 3, "\(log)")
        XCTAssertEqual(log.filter { $0.contains("partNumber=2&") }.count, 1, "\(log)")
        let downloaded = try await download("part-retry.mp4")
        XCTAssertTrue(downloaded == file.bytes, "downloaded object differs from the local file")
    }

    func testFailedMultipartIsAbortedAndFileKept() async throws {
        let proxy = try FailingProxy(upstreamPort: moto.port, rule: .everyUploadPart)
        defer { proxy.stop() }
        let file = try makeFile(size: 6 << 20, seed: 7)
        let uploader = S3Uploader(destination: destination("aborted.mp4", endpoint: proxy.endpoint),
                                  partSize: 5 << 20, maxAttempts: 2, initialBackoff: 0.01)
        let error = await expectError(uploader, file.path)
        XCTAssertEqual(error, .http(status: 500, code: "InternalError",
                                    message: "We encountered an internal error. Please try again."))
        let log = try proxy.log()
        XCTAssertEqual(log.filter { $0.contains("partNumber=1&") }.count, 2, "\(log)")
        XCTAssertTrue(log.last?.hasPrefix("DELETE /recordings/aborted.mp4?uploadId=") ?? false, "\(log)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "the local file must be kept")
    }

    func testGivesUpAfterMaxAttempts() async throws {
        let proxy = try FailingProxy(upstreamPort: moto.port, rule: .everything)
        defer { proxy.stop() }
        let file = try makeFile(size: 10, seed: 8)
        let uploader = S3Uploader(destination: destination("never.mp4", endpoint: proxy.endpoint),
                                  maxAttempts: 3, initialBackoff: 0.01)
        let error = await expectError(uploader, file.path)
        guard case .http(500, "InternalError", _)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(try proxy.log().count, 3)
    }
}
