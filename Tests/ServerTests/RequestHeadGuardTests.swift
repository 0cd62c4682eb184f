import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import XCTest
@testable import Server

final class RequestHeadGuardTests: XCTestCase {
    private let counters = HTTPConnectionCounters()

    private func channel(_ limiter: ConnectionLimiter, headerTimeout: TimeAmount = .seconds(2), maxHead: Int = 1024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(RequestHeadGuard(limiter: limiter, headerTimeout: headerTimeout, maxHeadBytes: maxHead))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        return channel
    }

    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    func testCompleteHeadPassesThroughAndMarksTheConnectionBusy() throws {
        let limiter = ConnectionLimiter(capacity: 1, counters: counters)
        let first = try channel(limiter)
        try first.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\n"))
        try first.writeInbound(ByteBuffer(string: "Host: a\r\n\r\n"))
        XCTAssertEqual(try first.readInbound(as: ByteBuffer.self).map { String(buffer: $0) }, "GET /healthz HTTP/1.1\r\n")
        XCTAssertEqual(try first.readInbound(as: ByteBuffer.self).map { String(buffer: $0) }, "Host: a\r\n\r\n")
        // busy: a second connection at the cap is refused with 503 instead of evicting it
        let second = try channel(limiter)
        XCTAssertTrue(try written(second).hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        XCTAssertEqual(counters.value(.refusedAtCap), 1)
        // the header timeout no longer applies to the first
        first.embeddedEventLoop.advanceTime(by: .seconds(5))
        XCTAssertTrue(first.isActive)
    }

    func testHeadNotCompleteWithinTheTimeoutIsCut() throws {
        let limiter = ConnectionLimiter(capacity: 4, counters: counters)
        let slow = try channel(limiter)
        try slow.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nX-Slow: a"))
        slow.embeddedEventLoop.advanceTime(by: .milliseconds(1900))
        XCTAssertTrue(slow.isActive)
        slow.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        XCTAssertFalse(slow.isActive)
        XCTAssertEqual(counters.value(.headerTimeout), 1)
    }

    func testOversizedHeadIsAnswered431AndNotPassedOn() throws {
        let limiter = ConnectionLimiter(capacity: 4, counters: counters)
        let big = try channel(limiter, maxHead: 64)
        try big.writeInbound(ByteBuffer(string: "GET /?" + String(repeating: "a", count: 100)))
        XCTAssertNil(try big.readInbound(as: ByteBuffer.self))
        let answer = try written(big)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer)
        XCTAssertTrue(answer.contains("Connection: close"))
        XCTAssertEqual(counters.value(.headTooLarge), 1)
        big.embeddedEventLoop.advanceTime(by: RequestHeadGuard.lingerAfterRefusal)
        XCTAssertFalse(big.isActive)
    }

    func testAtTheCapTheOldestIdleConnectionIsClosedForTheNewOne() throws {
        let limiter = ConnectionLimiter(capacity: 1, counters: counters)
        let idle = try channel(limiter)
        let fresh = try channel(limiter)
        XCTAssertFalse(idle.isActive, "the idle connection made room")
        XCTAssertTrue(fresh.isActive)
        XCTAssertEqual(try written(fresh), "")
        XCTAssertEqual(counters.value(.evictedAtCap), 1)
    }

    func testBodyNotCompleteWithinTheTimeoutIsCutAndAResponseMakesTheConnectionIdle() throws {
        let limiter = ConnectionLimiter(capacity: 1, counters: counters)
        let channel = try channel(limiter)
        try channel.writeInbound(ByteBuffer(string: "POST /twirp HTTP/1.1\r\nContent-Length: 50000000\r\n\r\n"))
        _ = try channel.readInbound(as: ByteBuffer.self)
        // the HTTP side of the pipeline, as Hummingbird adds it after the decoder
        try channel.pipeline.syncOperations.addHandler(RequestBodyDeadline(bodyTimeout: .seconds(2), counters: counters))
        let head = HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/twirp")
        try channel.writeInbound(HTTPRequestPart.head(head))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "{}")))
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        XCTAssertTrue(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        XCTAssertFalse(channel.isActive)
        XCTAssertEqual(counters.value(.bodyTimeout), 1)
    }

    func testCompleteRequestCancelsTheBodyTimerAndFreesTheSlotForEviction() throws {
        let limiter = ConnectionLimiter(capacity: 1, counters: counters)
        let channel = try channel(limiter)
        try channel.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\n\r\n"))
        try channel.pipeline.syncOperations.addHandler(RequestBodyDeadline(bodyTimeout: .seconds(2), counters: counters))
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/healthz")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        XCTAssertTrue(channel.isActive, "a complete request is not cut")
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        // now idle between requests: a new connection at the cap takes its place
        let next = try self.channel(limiter)
        XCTAssertTrue(next.isActive)
        XCTAssertFalse(channel.isActive)
    }
}
