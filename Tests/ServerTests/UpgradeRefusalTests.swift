import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import XCTest
@testable import Server

final class UpgradeRefusalTests: XCTestCase {
    private let counters = HTTPConnectionCounters()

    private func channel() throws -> (EmbeddedChannel, RequestHeadGuard) {
        let channel = EmbeddedChannel()
        let headGuard = RequestHeadGuard(limiter: ConnectionLimiter(capacity: 4, counters: counters),
                                         headerTimeout: .seconds(10), maxHeadBytes: 1024)
        try channel.pipeline.syncOperations.addHandler(headGuard)
        try channel.pipeline.syncOperations.addHandler(UpgradeRefusal(counters: counters))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        return (channel, headGuard)
    }

    /// Hummingbird's answer to a refused upgrade: 400, `Content-Length: 0`, no body.
    private func writeHummingbirdRefusal(_ channel: EmbeddedChannel) throws {
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
    }

    func testNotedRefusalReplacesTheEmpty400() throws {
        let (channel, headGuard) = try channel()
        UpgradeRefusal.note(status: .forbidden, reason: "permissions denied: no roomJoin grant", on: channel)
        channel.embeddedEventLoop.run()
        XCTAssertEqual(headGuard.upgradeRefusal?.status, .forbidden)
        try writeHummingbirdRefusal(channel)
        guard case .head(let head)? = try channel.readOutbound(as: HTTPResponsePart.self) else { return XCTFail("no head") }
        XCTAssertEqual(head.status, .forbidden)
        XCTAssertEqual(head.headerFields[.contentType], "text/plain; charset=utf-8")
        XCTAssertEqual(head.headerFields[.contentLength], "38")
        guard case .body(let body)? = try channel.readOutbound(as: HTTPResponsePart.self) else { return XCTFail("no body") }
        XCTAssertEqual(String(buffer: body), "permissions denied: no roomJoin grant\n")
        guard case .end? = try channel.readOutbound(as: HTTPResponsePart.self) else { return XCTFail("no end") }
        XCTAssertNil(headGuard.upgradeRefusal)
        XCTAssertEqual(counters.value(.upgradeRefused), 1)
    }

    func testA400WithoutANotePassesUnchanged() throws {
        let (channel, _) = try channel()
        try writeHummingbirdRefusal(channel)
        guard case .head(let head)? = try channel.readOutbound(as: HTTPResponsePart.self) else { return XCTFail("no head") }
        XCTAssertEqual(head.status, .badRequest)
        XCTAssertEqual(head.headerFields[.contentLength], "0")
        XCTAssertEqual(counters.value(.upgradeRefused), 0)
    }
}
