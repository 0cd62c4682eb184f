import XCTest
@testable import SFU

/// How often the shard's timing wheel visits a peer (every 10 ms tick, or once a second).
final class TickScheduleTests: XCTestCase {
    func testAConnectedSubscriberWaitsForTheReportTickAndAPublisherDoesNot() throws {
        let bed = try ForwardingTestBed()
        let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1234, rtxSSRC: nil)])
        let (subscriber, _) = try bed.addSubscriber()
        _ = bed.subscribe(subscriber, to: track, ssrc: 5000, now: 0)
        XCTAssertEqual(subscriber.tickCadence, 100, "receives only: its work is once a second")
        XCTAssertEqual(bed.publisher.tickCadence, 1, "publishes video: NACKs are due every few ms")
    }

    func testPublishingVideoWakesThePeerSoItsShorterCadenceStartsAtOnce() throws {
        let bed = try ForwardingTestBed()
        var woken: [String] = []
        bed.context.wakePeer = { woken.append($0.id) }
        _ = bed.publishVideo(layers: [(rid: nil, ssrc: 1234, rtxSSRC: nil)])
        XCTAssertEqual(woken, [bed.publisher.id], "the shard would otherwise wait up to its report tick")
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
