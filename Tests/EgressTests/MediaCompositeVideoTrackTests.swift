import XCTest
@testable import Egress

final class MediaCompositeVideoTrackTests: XCTestCase {
    func testNewestPictureAtOrBeforeFrameTimeThenStale() throws {
        let frames = try MediaTestSources.video(encoder: "libvpx", width: 320, height: 240, fps: 30, frames: 4,
                                                paint: MediaTestSources.moving)
        let track = try CompositeVideoTrack(id: "v", codec: .vp8, fps: 15)
        XCTAssertNil(track.picture(at: 0, staleAfter: 5), "no picture yet: placeholder")
        // A delta frame before the first keyframe shows nothing.
        try track.push(EncodedFrame(trackID: "v", codec: .vp8, data: frames[1].data, timestamp: 0, isKeyframe: false))
        XCTAssertNil(track.picture(at: 0, staleAfter: 5))
        for (i, frame) in frames.enumerated() {
            try track.push(EncodedFrame(trackID: "v", codec: .vp8, data: frame.data, timestamp: 0.03 * Double(i), isKeyframe: frame.isKeyframe))
        }
        XCTAssertEqual(track.picture(at: 0, staleAfter: 5)?.timestamp, 0)
        XCTAssertEqual(try XCTUnwrap(track.picture(at: 1.0 / 15, staleAfter: 5)?.timestamp), 0.06, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(track.picture(at: 2.0 / 15, staleAfter: 5)?.timestamp), 0.09, accuracy: 1e-9)
        XCTAssertEqual(track.picture(at: 2.0 / 15, staleAfter: 5)?.width, 320)
        track.muted = true
        XCTAssertNil(track.picture(at: 0.2, staleAfter: 5), "muted: placeholder")
        track.muted = false
        XCTAssertNotNil(track.picture(at: 0.2, staleAfter: 5))
        XCTAssertNil(track.picture(at: 6, staleAfter: 5), "stale: placeholder")
    }

    func testResolutionChangeAtKeyframeAndGarbageResync() throws {
        let small = try MediaTestSources.video(encoder: "libvpx", width: 320, height: 240, fps: 30, frames: 2, paint: MediaTestSources.moving)
        let large = try MediaTestSources.video(encoder: "libvpx", width: 640, height: 480, fps: 30, frames: 2, paint: MediaTestSources.moving)
        let track = try CompositeVideoTrack(id: "v", codec: .vp8, fps: 15)
        try track.push(EncodedFrame(trackID: "v", codec: .vp8, data: small[0].data, timestamp: 0, isKeyframe: true))
        XCTAssertEqual(track.picture(at: 0, staleAfter: 5)?.width, 320)
        XCTAssertThrowsError(try track.push(EncodedFrame(trackID: "v", codec: .vp8, data: [1, 2, 3, 4, 5], timestamp: 0.1, isKeyframe: false)))
        // After an error, delta frames wait for a keyframe; the last good picture stays.
        try track.push(EncodedFrame(trackID: "v", codec: .vp8, data: small[1].data, timestamp: 0.2, isKeyframe: false))
        XCTAssertEqual(track.picture(at: 0.3, staleAfter: 5)?.timestamp, 0)
        try track.push(EncodedFrame(trackID: "v", codec: .vp8, data: large[0].data, timestamp: 0.4, isKeyframe: true))
        XCTAssertEqual(track.picture(at: 0.4, staleAfter: 5)?.width, 640)
        XCTAssertEqual(track.picture(at: 0.4, staleAfter: 5)?.height, 480)
    }
}
