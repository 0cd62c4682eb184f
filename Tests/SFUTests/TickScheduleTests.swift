import XCTest
@testable import SFU

/// Which peers the shard visits on its 10 ms tick (the rest wait for the 1 s report tick).
final class TickScheduleTests: XCTestCase {
    func testAConnectedSubscriberWaitsForTheReportTickAndAPublisherDoesNot() throws {
        let bed = try ForwardingTestBed()
        let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1234, rtxSSRC: nil)])
        let (subscriber, _) = try bed.addSubscriber()
        _ = bed.subscribe(subscriber, to: track, ssrc: 5000, now: 0)
        XCTAssertFalse(subscriber.needsFrequentTicks, "receives only: its work is once a second")
        XCTAssertTrue(bed.publisher.needsFrequentTicks, "publishes: NACKs and congestion feedback are due every few ms")
    }

    func testAPeerStillConnectingIsVisitedEveryTick() throws {
        let bed = try ForwardingTestBed()
        let peer = bed.makeUnconnectedPeer()
        XCTAssertTrue(peer.needsFrequentTicks, "DTLS retransmissions and the connect deadline")
    }
}

private extension ForwardingTestBed {
    func makeUnconnectedPeer() -> PeerConnection {
        PeerConnection(id: "new", transport: WebRTCTransport(socket: socket, context: context), room: room, now: 0)
    }
}
