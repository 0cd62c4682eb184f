import Foundation
import XCTest
@testable import LoadTest

final class ReceivedTrackStatisticsTests: XCTestCase {
    func testGapsCountAsLoss() {
        var track = ReceivedTrackStatistics(kind: "audio", trackSID: "TR_a", ssrc: 7, clockRate: 48_000, acceptedAt: 10)
        XCTAssertFalse(track.hasMedia)
        var time = 10.25
        for sequence: UInt16 in [65_530, 65_531, 65_533, 65_534, 0, 1, 5] {  // wraps; 65532, 65535, 2, 3, 4 missing
            track.packetArrived(sequenceNumber: sequence, timestamp: UInt32(sequence) &* 960, now: time)
            time += 0.02
        }
        XCTAssertTrue(track.hasMedia)
        XCTAssertEqual(track.packetsReceived, 7)
        XCTAssertEqual(track.packetsExpected, 12)
        XCTAssertEqual(track.packetsLost, 5)
        XCTAssertEqual(track.firstPacketMilliseconds!, 250, accuracy: 1e-6)
    }

    /// RFC 3550 §6.4.1: packets arriving exactly as they were sent show no jitter; a packet
    /// 10 ms late moves the estimate by |D|/16.
    func testJitter() {
        var track = ReceivedTrackStatistics(kind: "audio", trackSID: "TR_a", ssrc: 7, clockRate: 48_000, acceptedAt: 0)
        for index in 0..<50 {
            track.packetArrived(sequenceNumber: UInt16(index), timestamp: UInt32(index * 960), now: Double(index) * 0.02)
        }
        XCTAssertEqual(track.jitterMilliseconds, 0, accuracy: 1e-9)
        track.packetArrived(sequenceNumber: 50, timestamp: 50 * 960, now: 50 * 0.02 + 0.01)
        XCTAssertEqual(track.jitterMilliseconds, 10.0 / 16, accuracy: 1e-6)
        let report = track.makeReport()
        XCTAssertEqual(report.ssrc, 7)
        XCTAssertEqual(report.cumulativeLost, 0)
        XCTAssertEqual(report.extendedHighestSequence, 50)
    }

    func testDuplicatesAreNotNegativeLoss() {
        var track = ReceivedTrackStatistics(kind: "video", trackSID: "TR_v", ssrc: 9, clockRate: 90_000, acceptedAt: 0)
        for sequence: UInt16 in [1, 2, 2, 3] { track.packetArrived(sequenceNumber: sequence, timestamp: 0, now: 1) }
        XCTAssertEqual(track.packetsLost, 0)
        XCTAssertEqual(track.packetsReceived, 4)
    }

    func testPercentiles() {
        XCTAssertNil(Percentiles.value(50, of: []))
        XCTAssertEqual(Percentiles.value(50, of: [5]), 5)
        let samples = (1...100).map(Double.init)
        XCTAssertEqual(Percentiles.value(50, of: samples), 50)
        XCTAssertEqual(Percentiles.value(99, of: samples), 99)
        XCTAssertEqual(Percentiles.value(100, of: samples), 100)
        XCTAssertEqual(Percentiles.value(0, of: samples), 1)
        XCTAssertEqual(Percentiles.value(50, of: [3, 1, 2]), 2)
    }

    func testSummaryJSONHasTheDocumentedKeysInOrder() throws {
        let summary = LoadTestSummary(participants: 6, participantsJoined: 6, joinMilliseconds: [10, 20, 30],
                                      firstMediaMilliseconds: [5], tracksExpected: 6, tracksSubscribed: 6,
                                      packetsExpected: 1_000, packetsReceived: 995, packetsLost: 5,
                                      jitterMilliseconds: [0.5, 1.5], durationSeconds: 5, failures: ["a \"quoted\" one"])
        let json = summary.json()
        let keys = ["participants", "join_ms_p50", "join_ms_p99", "first_media_ms_p50", "tracks_subscribed",
                    "packets_expected", "packets_received", "loss_percent", "jitter_ms_p99", "duration_s"]
        var last = json.startIndex
        for key in keys {
            let range = try XCTUnwrap(json.range(of: "\"\(key)\":"), key)
            XCTAssertGreaterThanOrEqual(range.lowerBound, last, key)
            last = range.lowerBound
        }
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["participants"] as? Int, 6)
        XCTAssertEqual(object["loss_percent"] as? Double, 0.5)
        XCTAssertEqual(object["join_ms_p50"] as? Double, 20)
        XCTAssertEqual(object["jitter_ms_p99"] as? Double, 1.5)
        XCTAssertEqual(object["failures"] as? [String], ["a \"quoted\" one"])
        XCTAssertTrue(LoadTestSummary().json().contains("\"join_ms_p50\": null"))
        XCTAssertTrue(summary.table().contains("tracks subscribed"))
    }
}
