import Foundation
import XCTest
@testable import Webhooks

final class OutboxRecordTests: XCTestCase {
    let event = OutboxEvent(id: "EV_1", room: "room \"one\"\n", event: "participant_joined",
                            body: Array(#"{"a":"b\nc"}"#.utf8) + [0, 0xFF], urls: ["http://a/x", "http://b/y"])

    func testEnqueueRoundTripIsOneLine() throws {
        let line = OutboxRecord.enqueue(event).encodedLine()
        XCTAssertEqual(line.last, 0x0A)
        XCTAssertEqual(line.filter { $0 == 0x0A }.count, 1)
        let parsed = try OutboxRecord.parse(line: line.dropLast(), configuredURLs: [])
        XCTAssertEqual(parsed, .enqueue(event))
    }

    func testDeliveredRoundTrip() throws {
        let record = OutboxRecord.delivered(id: "EV_2", url: "http://h:1/p")
        XCTAssertEqual(try OutboxRecord.parse(line: record.encodedLine().dropLast(), configuredURLs: []), record)
    }

    func testWireFormat() throws {
        let line = String(decoding: OutboxRecord.delivered(id: "EV_2", url: "http://h/p").encodedLine(), as: UTF8.self)
        XCTAssertEqual(line, #"{"id":"EV_2","op":"delivered","url":"http://h/p"}"# + "\n")
    }

    func testMissingURLsFallBackToConfigured() throws {
        let line = Array(#"{"op":"enqueue","id":"EV_3","room":"r","event":"room_started","body":"e30="}"#.utf8)
        let parsed = try OutboxRecord.parse(line: line, configuredURLs: ["http://c"])
        XCTAssertEqual(parsed, .enqueue(OutboxEvent(id: "EV_3", room: "r", event: "room_started",
                                                    body: Array("{}".utf8), urls: ["http://c"])))
    }

    func testRejectsBadLinesWithTypedErrors() {
        func error(_ text: String) -> OutboxRecordError? {
            do {
                _ = try OutboxRecord.parse(line: Array(text.utf8), configuredURLs: [])
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(error(#"{"op":"enqueue","id":"x","ro"#), .notJSON)
        XCTAssertEqual(error(""), .notJSON)
        XCTAssertEqual(error(#"{"op":"sent","id":"x"}"#), .unknownOperation("sent"))
        XCTAssertEqual(error(#"{"op":"delivered","url":"u"}"#), .missingField("id"))
        XCTAssertEqual(error(#"{"op":"delivered","id":"x"}"#), .missingField("url"))
        XCTAssertEqual(error(#"{"op":"enqueue","id":"x","room":"r","event":"e"}"#), .missingField("body"))
        XCTAssertEqual(error(#"{"op":"enqueue","id":"x","room":"r","event":"e","body":"!!"}"#), .invalidBase64)
        XCTAssertEqual(error(#"{"op":"enqueue","id":"x","room":5,"event":"e","body":""}"#), .notJSON)
    }

    func testJournalContentsDropTornTail() {
        var bytes = OutboxRecord.enqueue(event).encodedLine()
        bytes += OutboxRecord.delivered(id: "EV_1", url: "http://a/x").encodedLine()
        let whole = OutboxJournalContents.parse(bytes, configuredURLs: [])
        XCTAssertEqual(whole.records.count, 2)
        XCTAssertFalse(whole.tornTail)
        let torn = OutboxJournalContents.parse(Array(bytes.dropLast(7)), configuredURLs: [])
        XCTAssertEqual(torn.records, [.enqueue(event)])
        XCTAssertTrue(torn.tornTail)
        XCTAssertEqual(torn.skippedLines, 0)
    }

    func testJournalContentsSkipCorruptCompleteLine() {
        var bytes = Array("garbage\n\n".utf8)
        bytes += OutboxRecord.delivered(id: "EV_9", url: "u").encodedLine()
        let contents = OutboxJournalContents.parse(bytes, configuredURLs: [])
        XCTAssertEqual(contents.records, [.delivered(id: "EV_9", url: "u")])
        XCTAssertEqual(contents.skippedLines, 1)
    }

    /// Fuzz: truncations, bit flips and random bytes must parse or be rejected, never crash.
    func testFuzzNeverCrashes() {
        var rng = SplitMix64(seed: 0x5EED)
        let valid = OutboxRecord.enqueue(event).encodedLine() + OutboxRecord.delivered(id: "EV_1", url: "http://a/x").encodedLine()
        for cut in 0...valid.count {
            _ = OutboxJournalContents.parse(Array(valid.prefix(cut)), configuredURLs: ["http://a/x"])
        }
        for _ in 0..<2000 {
            var mutated = valid
            for _ in 0..<Int(rng.next() % 6 + 1) {
                let index = Int(rng.next() % UInt64(mutated.count))
                mutated[index] = UInt8(truncatingIfNeeded: rng.next())
            }
            let contents = OutboxJournalContents.parse(mutated, configuredURLs: ["http://a/x"])
            var state = OutboxState(configuredURLs: ["http://a/x", "http://b/y"])
            for record in contents.records { state.apply(record) }
            XCTAssertGreaterThanOrEqual(state.pendingCount, 0)
        }
        for _ in 0..<500 {
            let random = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = OutboxJournalContents.parse(random, configuredURLs: [])
        }
    }
}

/// A small deterministic generator for fuzz tests (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
