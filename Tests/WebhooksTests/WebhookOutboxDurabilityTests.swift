import Foundation
import XCTest
@testable import Webhooks

/// The journal: restarts lose nothing queued and re-send nothing recorded as delivered.
final class WebhookOutboxDurabilityTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = TestSupport.temporaryDirectory() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    var journalPath: String { directory + "/" + OutboxJournal.fileName }

    func enqueue(_ outbox: WebhookOutbox, _ id: String, room: String) async throws {
        try await outbox.enqueue(id: id, room: room, event: "participant_joined",
                                 body: TestSupport.body(id: id, event: "participant_joined", room: room))
    }

    func testRestartWhileReceiverDownLosesNothingAndResendsNothing() async throws {
        var receiver = try TestHTTPReceiver()
        let port = receiver.port
        let configuration = TestSupport.configuration(urls: [receiver.url], directory: directory)

        // Phase 1: two events are delivered, then the receiver goes away and four more queue up.
        var outbox: WebhookOutbox? = try WebhookOutbox(configuration: configuration, logger: TestSupport.logger())
        await outbox!.start()
        try await enqueue(outbox!, "EV_1", room: "a")
        try await enqueue(outbox!, "EV_2", room: "b")
        let firstDelivered = await TestSupport.waitUntil { await outbox!.pendingCount == 0 }
        XCTAssertTrue(firstDelivered)
        receiver.stop()
        for (id, room) in [("EV_3", "a"), ("EV_4", "b"), ("EV_5", "a"), ("EV_6", "a")] {
            try await enqueue(outbox!, id, room: room)
        }
        try await Task.sleep(nanoseconds: 100_000_000)  // a few refused attempts
        let pendingBefore = await outbox!.pendingCount
        XCTAssertEqual(pendingBefore, 4)
        await outbox!.stop()
        outbox = nil  // "the process dies": the journal is all that is left

        // Phase 2: a new outbox on the same directory knows exactly what is owed.
        outbox = try WebhookOutbox(configuration: configuration, logger: TestSupport.logger())
        let replayed = await outbox!.pendingCount
        XCTAssertEqual(replayed, 4)
        receiver = try TestHTTPReceiver(port: port)
        await outbox!.start()
        let drained = await TestSupport.waitUntil { await outbox!.pendingCount == 0 }
        XCTAssertTrue(drained)
        await outbox!.stop()
        let ids = receiver.delivered.compactMap { TestSupport.id(of: $0.body) }
        XCTAssertEqual(Set(ids), ["EV_3", "EV_4", "EV_5", "EV_6"], "nothing lost, nothing delivered re-sent")
        XCTAssertEqual(ids.count, 4)
        XCTAssertEqual(ids.filter { ["EV_3", "EV_5", "EV_6"].contains($0) }, ["EV_3", "EV_5", "EV_6"], "room a in order")
        outbox = nil

        // Phase 3: another restart owes nothing and sends only what is new.
        outbox = try WebhookOutbox(configuration: configuration, logger: TestSupport.logger())
        let pendingAfter = await outbox!.pendingCount
        XCTAssertEqual(pendingAfter, 0)
        await outbox!.start()
        try await enqueue(outbox!, "EV_7", room: "a")
        let last = await TestSupport.waitUntil { await outbox!.pendingCount == 0 }
        XCTAssertTrue(last)
        await outbox!.stop()
        receiver.stop()
        // Rooms are independent lanes, so only the order within room a is fixed.
        let all = receiver.requests.compactMap { TestSupport.id(of: $0.body) }
        XCTAssertEqual(all.sorted(), ["EV_3", "EV_4", "EV_5", "EV_6", "EV_7"], "each event exactly once")
        XCTAssertEqual(all.filter { $0 != "EV_4" }, ["EV_3", "EV_5", "EV_6", "EV_7"], "room a in order")
    }

    func testEnqueueIsOnDiskBeforeItReturns() async throws {
        let outbox = try WebhookOutbox(configuration: TestSupport.configuration(urls: ["http://127.0.0.1:9/x"], directory: directory),
                                       logger: TestSupport.logger())
        try await enqueue(outbox, "EV_disk", room: "r")
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: journalPath))
        let contents = OutboxJournalContents.parse(Array(bytes), configuredURLs: [])
        guard case .enqueue(let event)? = contents.records.last else { return XCTFail("no enqueue record") }
        XCTAssertEqual(event.id, "EV_disk")
        XCTAssertEqual(event.body, TestSupport.body(id: "EV_disk", event: "participant_joined", room: "r"))
        XCTAssertEqual(event.urls, ["http://127.0.0.1:9/x"])
    }

    func testTornLastLineIsIgnored() async throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let configuration = TestSupport.configuration(urls: [receiver.url], directory: directory)
        var outbox: WebhookOutbox? = try WebhookOutbox(configuration: configuration, logger: TestSupport.logger())
        try await enqueue(outbox!, "EV_a", room: "r")
        try await enqueue(outbox!, "EV_b", room: "r")
        outbox = nil
        // The process died in the middle of writing a third record.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: journalPath))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"body":"e30=","event":"room_finished","id":"EV_torn","op":"enq"#.utf8))
        handle.closeFile()

        let store = RecordingLogHandler.Store()
        outbox = try WebhookOutbox(configuration: configuration, logger: TestSupport.logger(store))
        let pending = await outbox!.pendingCount
        XCTAssertEqual(pending, 2)
        XCTAssertTrue(store.entries.contains { $0.level == .warning && $0.message.contains("torn") })
        // Startup compaction removed the torn bytes, so new appends start on a clean line.
        let rewritten = String(decoding: try XCTUnwrap(FileManager.default.contents(atPath: journalPath)), as: UTF8.self)
        XCTAssertFalse(rewritten.contains("EV_torn"))
        XCTAssertTrue(rewritten.hasSuffix("\n"))
        await outbox!.start()
        try await enqueue(outbox!, "EV_c", room: "r")
        let drained = await TestSupport.waitUntil { await outbox!.pendingCount == 0 }
        XCTAssertTrue(drained)
        await outbox!.stop()
        XCTAssertEqual(receiver.delivered.compactMap { TestSupport.id(of: $0.body) }, ["EV_a", "EV_b", "EV_c"])
    }

    func testDeliveredRecordsSurviveAndJournalCompactsWhenDrained() async throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        var configuration = TestSupport.configuration(urls: [receiver.url], directory: directory)
        configuration.compactionThreshold = 2048
        let outbox = try WebhookOutbox(configuration: configuration, logger: TestSupport.logger())
        await outbox.start()
        for i in 0..<30 { try await enqueue(outbox, "EV_c\(i)", room: "r\(i % 3)") }
        let drained = await TestSupport.waitUntil { await outbox.pendingCount == 0 }
        XCTAssertTrue(drained)
        await outbox.stop()
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: journalPath)[.size] as? Int)
        XCTAssertLessThan(size, 2048 + 400, "the journal was compacted after it grew past the threshold")
        XCTAssertEqual(receiver.delivered.count, 30)
        XCTAssertFalse(FileManager.default.fileExists(atPath: journalPath + ".tmp"))
    }

    func testSecondOutboxOnSameDirectoryIsRefused() throws {
        let configuration = TestSupport.configuration(urls: ["http://127.0.0.1:9/x"], directory: directory)
        let first = try WebhookOutbox(configuration: configuration, logger: TestSupport.logger())
        XCTAssertThrowsError(try WebhookOutbox(configuration: configuration, logger: TestSupport.logger())) { error in
            guard case OutboxJournalError.locked = error else { return XCTFail("unexpected \(error)") }
        }
        _ = first
    }

    func testDuplicateIDWhilePendingIsIgnoredAndDroppedURLsAreForgotten() async throws {
        let configuration = TestSupport.configuration(urls: ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"], directory: directory)
        var outbox: WebhookOutbox? = try WebhookOutbox(configuration: configuration, logger: TestSupport.logger())
        try await enqueue(outbox!, "EV_dup", room: "r")
        try await enqueue(outbox!, "EV_dup", room: "r")
        let pending = await outbox!.pendingCount
        XCTAssertEqual(pending, 2)
        outbox = nil
        // Restart with one URL removed from the configuration: only the remaining URL is owed.
        let narrowed = TestSupport.configuration(urls: ["http://127.0.0.1:9/b"], directory: directory)
        outbox = try WebhookOutbox(configuration: narrowed, logger: TestSupport.logger())
        let replayed = await outbox!.pendingCount
        XCTAssertEqual(replayed, 1)
    }

    func testStartAfterStopResumesDelivery() async throws {
        let receiver = try TestHTTPReceiver { _, index in index < 3 ? 500 : 200 }
        defer { receiver.stop() }
        let outbox = try WebhookOutbox(configuration: TestSupport.configuration(urls: [receiver.url], directory: directory),
                                       logger: TestSupport.logger())
        await outbox.start()
        try await enqueue(outbox, "EV_r1", room: "r")
        await outbox.stop()
        try await enqueue(outbox, "EV_r2", room: "r")  // journaled while stopped
        await outbox.start()
        let drained = await TestSupport.waitUntil { await outbox.pendingCount == 0 }
        XCTAssertTrue(drained)
        await outbox.stop()
        XCTAssertEqual(receiver.delivered.compactMap { TestSupport.id(of: $0.body) }, ["EV_r1", "EV_r2"])
    }
}
