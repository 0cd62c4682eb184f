import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOEmbedded
import XCTest
@testable import Server

/// hummingbird-websocket stores the upgrade's handler with a copy of the context in the
/// context's own reference (a cycle it never clears); the channel's close must end it, or every
/// WebSocket leaks its context, channel and buffers.
final class SignallingRequestContextTests: XCTestCase {
    private struct Attempt {
        let response: Response?
        let releasedBeforeClose: Bool
        let releasedAfterClose: Bool
        /// nil once nothing holds the channel after the attempt returns.
        weak var channel: EmbeddedChannel?
    }

    /// Runs one GET through a real `router.ws` route on an `EmbeddedChannel`, closes the
    /// channel, and reports whether the channel itself is still alive afterwards.
    private func attempt(refused: Bool) async throws -> Attempt {
        let router = Router(context: SignallingRequestContext.self)
        router.ws("ws", shouldUpgrade: { _, context in
            try await context.checkingUpgrade { if refused { throw HTTPError(.unauthorized, message: "no") } }
            return .upgrade([:])
        }, onUpgrade: { _, _, _ in })
        let channel = EmbeddedChannel()
        let context = SignallingRequestContext(source: .init(channel: channel, logger: Logger(label: "test")))
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/ws"),
                              body: RequestBody(buffer: ByteBuffer()))
        let response = try? await router.buildResponder().respond(to: request, context: context)
        channel.embeddedEventLoop.run()
        let before = context.slotIsReleased
        try await channel.close()
        channel.embeddedEventLoop.run()
        return Attempt(response: response, releasedBeforeClose: before, releasedAfterClose: context.slotIsReleased,
                       channel: channel)
    }

    func testAnUpgradedContextIsFreedWhenItsChannelCloses() async throws {
        let result = try await attempt(refused: false)
        XCTAssertEqual(result.response?.status, .ok)
        XCTAssertFalse(result.releasedBeforeClose, "the handler must stay until the upgrade has run")
        XCTAssertTrue(result.releasedAfterClose)
        XCTAssertNil(result.channel, "the channel outlived its connection: the context's cycle was not broken")
    }

    /// A refused route stores no handler, and nothing holds the channel after close.
    func testARefusedUpgradeHoldsNothing() async throws {
        let result = try await attempt(refused: true)
        XCTAssertEqual(result.response?.status, .unauthorized)
        XCTAssertNil(result.channel)
    }
}
