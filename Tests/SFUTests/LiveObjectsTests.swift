import XCTest
@testable import SFU

/// `sfu_live_objects` counts what is alive: up while a call runs, back where it was after.
final class LiveObjectsTests: XCTestCase {
    private func counts() -> [LiveObjects.Kind: Int] {
        Dictionary(uniqueKeysWithValues: LiveObjects.Kind.allCases.map { ($0, LiveObjects.count($0)) })
    }

    func testACallsObjectsAreCountedWhileItRunsAndFreedAfterItCloses() throws {
        let before = counts()
        do {
            let bed = try ForwardingTestBed()
            let (subscriber, _) = try bed.addSubscriber()
            let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1111, rtxSSRC: nil)])
            _ = bed.subscribe(subscriber, to: track, ssrc: 5000, now: 0)
            let during = counts()
            XCTAssertEqual(during[.peerConnection], before[.peerConnection]! + 2)
            XCTAssertEqual(during[.transport], before[.transport]! + 2)
            XCTAssertEqual(during[.publishedTrack], before[.publishedTrack]! + 1)
            XCTAssertEqual(during[.downTrack], before[.downTrack]! + 1)
            XCTAssertTrue(LiveObjects.prometheusText.contains("sfu_live_objects{kind=\"down_track\"} \(during[.downTrack]!)"))
            subscriber.close(reason: "left", now: 1)
            bed.publisher.close(reason: "left", now: 1)
        }
        XCTAssertEqual(counts(), before)
    }
}
