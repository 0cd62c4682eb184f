import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOEmbedded
import XCTest
@testable import Server

final class SignallingRequestContextTests: XCTestCase {
    /// hummingbird-websocket stores the upgrade's handler with a copy of the context in the
    /// context's own reference (a cycle it never clears); the channel's close must end it, or
    /// every WebSocket leaks its context, channel and buffers.
    func testAnUpgradedContextIsFreedWhenItsChannelCloses() async throws {
        let router = Router(context: SignallingRequestContext.self)
        router.ws("ws", shouldUpgrade: { _, context in
            try await context.checkingUpgrade {}
            return .upgrade([:])
        }, onUpgrade: { _, _, _ in })
        let responder = router.buildResponder()

        weak var weakChannel: EmbeddedChannel?
        do {
            let channel = EmbeddedChannel()
            weakChannel = channel
            let context = SignallingRequestContext(source: .init(channel: channel, logger: Logger(label: "test")))
            let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/ws"),
                                  body: RequestBody(buffer: ByteBuffer()))
            let response = try await responder.respond(to: request, context: context)
            XCTAssertEqual(response.status, .ok)
            XCTAssertFalse(context.slotIsReleased, "the handler must stay until the upgrade has run")
            try await channel.close()
            channel.embeddedEventLoop.run()
            XCTAssertTrue(context.slotIsReleased)
        }
        XCTAssertNil(weakChannel, "the channel outlived its connection: the context's cycle was not broken")
    }

    /// A context whose route was refused stores no handler and holds nothing after close.
    func testARefusedUpgradeHoldsNoHandler() async throws {
        let router = Router(context: SignallingRequestContext.self)
        router.ws("ws", shouldUpgrade: { _, context in
            try await context.checkingUpgrade { throw HTTPError(.unauthorized, message: "no") }
            return .upgrade([:])
        }, onUpgrade: { _, _, _ in })
        let responder = router.buildResponder()
        weak var weakChannel: EmbeddedChannel?
        do {
            let channel = EmbeddedChannel()
            weakChannel = channel
            let context = SignallingRequestContext(source: .init(channel: channel, logger: Logger(label: "test")))
            let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/ws"),
                                  body: RequestBody(buffer: ByteBuffer()))
            _ = try? await responder.respond(to: request, context: context)
            channel.embeddedEventLoop.run()
            try await channel.close()
            channel.embeddedEventLoop.run()
        }
        XCTAssertNil(weakChannel)
    }
}
