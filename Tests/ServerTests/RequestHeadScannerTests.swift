import XCTest
@testable import Server

final class RequestHeadScannerTests: XCTestCase {
    private func scan(_ parts: [String], limit: Int = 1024) -> RequestHeadScanner.Progress {
        var scanner = RequestHeadScanner(limit: limit)
        var progress = RequestHeadScanner.Progress.incomplete
        for part in parts {
            progress = Array(part.utf8).withUnsafeBytes { scanner.scan($0) }
        }
        return progress
    }

    func testHeadEndsAtTheEmptyLine() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        XCTAssertEqual(scan([head + "body"]), .complete(headBytes: head.utf8.count))
    }

    func testHeadSplitAcrossReadsByteByByte() {
        let head = "GET /rtc HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"
        XCTAssertEqual(scan(head.map { String($0) }), .complete(headBytes: head.utf8.count))
        XCTAssertEqual(scan(Array(head.dropLast()).map { String($0) }), .incomplete)
    }

    func testBareLineFeedsAndLeadingEmptyLines() {
        XCTAssertEqual(scan(["GET / HTTP/1.1\nHost: a\n\n"]), .complete(headBytes: 24))
        XCTAssertEqual(scan(["\r\n\r\n"]), .incomplete, "empty lines before the request line are skipped (RFC 9112 §2.2)")
        XCTAssertEqual(scan(["\r\nGET / HTTP/1.1\r\n\r\n"]), .complete(headBytes: 20))
    }

    func testOversizedHeadIsTooLargeWhateverTheSplit() {
        let big = "GET /?t=" + String(repeating: "a", count: 2000)
        XCTAssertEqual(scan([big], limit: 1024), .tooLarge)
        XCTAssertEqual(scan([String(big.prefix(1000)), String(big.dropFirst(1000))], limit: 1024), .tooLarge)
        // a head exactly at the limit is fine
        let exact = "GET / HTTP/1.1\r\n\r\n"
        XCTAssertEqual(scan([exact], limit: exact.utf8.count + 1), .complete(headBytes: exact.utf8.count))
    }

    func testOnceCompleteLaterBytesDoNotMatter() {
        var scanner = RequestHeadScanner(limit: 32)
        let first = Array("GET / HTTP/1.1\r\n\r\n".utf8).withUnsafeBytes { scanner.scan($0) }
        XCTAssertEqual(first, .complete(headBytes: 18))
        let later = Array(String(repeating: "x", count: 100).utf8).withUnsafeBytes { scanner.scan($0) }
        XCTAssertEqual(later, .complete(headBytes: 18))
    }
}
