import XCTest
@testable import SFU

/// Issue 12: a peer connection whose transport never connects (no candidate pair worked, or
/// DTLS never completed) is closed after `PeerConnection.connectTimeout` and counted in
/// `sfu_transports_never_connected_total`; a connected one is left alone.
final class ConnectTimeoutTests: XCTestCase {
    func testAPeerThatNeverConnectsIsClosedAndCounted() throws {
        let bed = try ForwardingTestBed()
        let transport = WebRTCTransport(socket: bed.socket, context: bed.context)
        let stranded = PeerConnection(id: "PA_stranded", transport: transport, room: bed.room, now: 0)
        bed.room.add(stranded)

        stranded.tick(now: PeerConnection.firstCheckTimeout - 1, wallClock: 0, reports: true)
        XCTAssertFalse(stranded.isClosed, "still within the timeout")
        XCTAssertEqual(bed.context.counters.transportsNeverConnected, 0)

        // No connectivity check ever arrived: given up at the first-check timeout.
        stranded.tick(now: PeerConnection.firstCheckTimeout + 1, wallClock: 0, reports: true)
        XCTAssertTrue(stranded.isClosed)
        XCTAssertEqual(transport.state, .closed, "no half-open transport is kept")
        XCTAssertEqual(bed.context.counters.transportsNeverConnected, 1)

        // The connected publisher of the bed is not touched by the same clock.
        bed.publisher.tick(now: PeerConnection.connectTimeout + 1, wallClock: 0, reports: true)
        XCTAssertFalse(bed.publisher.isClosed)
        XCTAssertEqual(bed.context.counters.transportsNeverConnected, 1)
        XCTAssertTrue(bed.context.counters.prometheusSamples.contains { $0.0 == "sfu_transports_never_connected_total" && $0.2 == 1 })
    }
}
