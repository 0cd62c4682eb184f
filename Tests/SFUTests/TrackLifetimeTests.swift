import XCTest
@testable import SFU

/// A down track holds its source strongly (no side table on the packet path), so the
/// `PublishedTrack` ↔ `DownTrack` cycle must be broken on every way out, or tracks leak.
final class TrackLifetimeTests: XCTestCase {
    func testAnUnpublishedTrackIsFreedWhileItStillHadASubscriber() throws {
        let bed = try ForwardingTestBed()
        let (subscriber, _) = try bed.addSubscriber()
        weak var released: PublishedTrack?
        weak var downTrackReleased: DownTrack?
        do {
            let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1111, rtxSSRC: nil)])
            let downTrack = bed.subscribe(subscriber, to: track, ssrc: 5000, now: 0)
            released = track
            downTrackReleased = downTrack
            bed.publisher.removePublished(track, now: 1)
            XCTAssertNil(downTrack.source)
            XCTAssertTrue(track.downTracks.isEmpty)
        }
        XCTAssertNil(released, "the removed track is still referenced")
        XCTAssertNotNil(downTrackReleased, "the subscriber still owns its down track")
    }

    func testASubscriberThatClosesLetsGoOfTheTrackAndItsDownTrack() throws {
        let bed = try ForwardingTestBed()
        let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1111, rtxSSRC: nil)])
        weak var downTrackReleased: DownTrack?
        do {
            let (transient, _) = try bed.addTransientPeer()
            let downTrack = bed.subscribe(transient, to: track, ssrc: 5001, now: 0)
            downTrackReleased = downTrack
            transient.close(reason: "test", now: 1)
            bed.router.unregister(transient.transport)
        }
        XCTAssertTrue(track.downTracks.isEmpty)
        XCTAssertNil(downTrackReleased, "the closed subscriber's down track is still referenced")
    }

    func testAPublisherThatClosesDetachesEverySubscriber() throws {
        let bed = try ForwardingTestBed()
        let (subscriber, _) = try bed.addSubscriber()
        let track = bed.publishVideo(layers: [(rid: nil, ssrc: 1111, rtxSSRC: nil)])
        let downTrack = bed.subscribe(subscriber, to: track, ssrc: 5002, now: 0)
        bed.publisher.close(reason: "test", now: 1)
        XCTAssertNil(downTrack.source)
        XCTAssertTrue(track.downTracks.isEmpty)
    }
}
