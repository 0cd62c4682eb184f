import XCTest
@testable import Egress

final class InputRecordingClockTests: XCTestCase {
    func testFirstFrameAnchorsAndJitterDoesNotMove() {
        var clock = RecordingClock(start: 100)
        // Track's first frame at RTP second 5 (arbitrary base) arrives 2 s into the recording.
        XCTAssertEqual(clock.time(trackID: "a", rtpSeconds: 5, arrival: 102), 2, accuracy: 1e-12)
        // Later frames follow the RTP clock whatever their (jittery) arrival.
        XCTAssertEqual(clock.time(trackID: "a", rtpSeconds: 5.02, arrival: 102.09), 2.02, accuracy: 1e-12)
        XCTAssertEqual(clock.time(trackID: "a", rtpSeconds: 5.04, arrival: 102.041), 2.04, accuracy: 1e-12)
        XCTAssertEqual(clock.time(trackID: "a", rtpSeconds: 6.0, arrival: 103.3), 3.0, accuracy: 1e-12)
    }

    func testTracksAnchorIndependently() {
        var clock = RecordingClock(start: 0)
        XCTAssertEqual(clock.time(trackID: "audio", rtpSeconds: 0, arrival: 1.0), 1.0, accuracy: 1e-12)
        XCTAssertEqual(clock.time(trackID: "video", rtpSeconds: 1000, arrival: 1.5), 1.5, accuracy: 1e-12)
        XCTAssertEqual(clock.time(trackID: "audio", rtpSeconds: 1, arrival: 2.0), 2.0, accuracy: 1e-12)
        XCTAssertEqual(clock.time(trackID: "video", rtpSeconds: 1000.5, arrival: 2.0), 2.0, accuracy: 1e-12)
    }

    func testReanchorsWhenDriftExceedsOneSecond() {
        var clock = RecordingClock(start: 0)
        _ = clock.time(trackID: "v", rtpSeconds: 0, arrival: 0)
        // RTP clock frozen during a 10 s mute (sender did not advance it): re-anchor to arrival.
        XCTAssertEqual(clock.time(trackID: "v", rtpSeconds: 0.1, arrival: 10.1), 10.1, accuracy: 1e-12)
        XCTAssertEqual(clock.time(trackID: "v", rtpSeconds: 0.2, arrival: 10.25), 10.2, accuracy: 1e-12)
        // 0.9 s of drift is tolerated.
        XCTAssertEqual(clock.time(trackID: "v", rtpSeconds: 0.3, arrival: 11.2), 10.3, accuracy: 1e-12)
        // A restarted stream whose RTP time jumps far ahead is pulled back to arrival time...
        XCTAssertEqual(clock.time(trackID: "v", rtpSeconds: 5000, arrival: 11.3), 11.3, accuracy: 1e-12)
        XCTAssertEqual(clock.time(trackID: "v", rtpSeconds: 5000.5, arrival: 11.8), 11.8, accuracy: 1e-12)
    }

    func testReanchorNeverGoesBackwards() {
        var clock = RecordingClock(start: 0)
        _ = clock.time(trackID: "v", rtpSeconds: 0, arrival: 0)
        XCTAssertEqual(clock.time(trackID: "v", rtpSeconds: 0.9, arrival: 0.0), 0.9, accuracy: 1e-12)
        // RTP jumps back: arrival (0.05) would be behind the last time returned (0.9).
        XCTAssertEqual(clock.time(trackID: "v", rtpSeconds: -50, arrival: 0.05), 0.9, accuracy: 1e-12)
        XCTAssertEqual(clock.time(trackID: "v", rtpSeconds: -49.9, arrival: 0.1), 1.0, accuracy: 1e-12)
    }

    func testRemovedTrackAnchorsAfresh() {
        var clock = RecordingClock(start: 0)
        _ = clock.time(trackID: "v", rtpSeconds: 0, arrival: 1)
        clock.removeTrack("v")
        XCTAssertEqual(clock.time(trackID: "v", rtpSeconds: 0, arrival: 1.5), 1.5, accuracy: 1e-12)
    }

    func testDepacketizerFramesThroughClock() {
        var d = TrackDepacketizer(trackID: "mic", codec: .opus, clockRate: 48_000)
        var clock = RecordingClock(start: 50)
        var times: [Double] = []
        let arrivals = [53.0, 53.035, 53.041, 53.07]  // jittery 20 ms packets
        for (i, a) in arrivals.enumerated() {
            let p = RTPTestPacket.opus(seq: UInt16(i), ts: 1_000_000 + UInt32(960 * i))
            for f in d.push(rtp: p, arrival: a) {
                times.append(clock.time(trackID: f.trackID, rtpSeconds: f.timestamp, arrival: f.arrival))
            }
        }
        XCTAssertEqual(times.count, 4)
        for (i, t) in times.enumerated() { XCTAssertEqual(t, 3.0 + 0.02 * Double(i), accuracy: 1e-9) }
    }
}
