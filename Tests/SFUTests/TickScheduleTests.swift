import XCTest
@testable import SFU

/// Which peers the shard visits on its 10 ms tick (the rest wait for the 1 s report tick).
final class TickScheduleTests: XCTestCase {
    func testAConnectedSubscriberWaitsForTheReportTickAndAPublisherDoesNot() throws {
        let bed = try ForwardingTestBed()
        let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1234, rtxSSRC: nil)])
        let (subscriber, _) = try bed.addSubscriber()
        _ = bed.subscribe(subscriber, to: track, ssrc: 5000, now: 0)
        XCTAssertEqual(subscriber.tickCadence, 100, "receives only: its work is once a second")
        XCTAssertEqual(bed.publisher.tickCadence, 1, "publishes video: NACKs are due every few ms")
    }

    func testAPeerStillConnectingIsVisitedEveryTick() throws {
        let bed = try ForwardingTestBed()
        let peer = bed.makeUnconnectedPeer()
        XCTAssertEqual(peer.tickCadence, 1, "DTLS retransmissions and the connect deadline")
    }
}

private extension ForwardingTestBed {
    func makeUnconnectedPeer() -> PeerConnection {
        PeerConnection(id: "new", transport: WebRTCTransport(socket: socket, context: context), room: room, now: 0)
    }
}
