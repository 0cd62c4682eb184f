import Foundation
import XCTest
@testable import Webhooks

/// Delivery against a real local HTTP receiver: format, signature, ordering under failures, independence.
final class WebhookOutboxDeliveryTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = TestSupport.temporaryDirectory() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    func testDeliversSignedWebhookJSON() async throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let outbox = try WebhookOutbox(configuration: TestSupport.configuration(urls: [receiver.url], directory: directory),
                                       logger: TestSupport.logger())
        await outbox.start()
        let body = TestSupport.body(id: "EV_sig", event: "room_started", room: "lobby")
        try await outbox.enqueue(id: "EV_sig", room: "lobby", event: "room_started", body: body)
        let drained = await TestSupport.waitUntil { await outbox.pendingCount == 0 }
        XCTAssertTrue(drained)
        await outbox.stop()
        let deliveredCount = await outbox.deliveredCount
        XCTAssertEqual(deliveredCount, 1)

        let requests = receiver.requests
        XCTAssertEqual(requests.count, 1)
        let request = try XCTUnwrap(requests.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/webhook")
        XCTAssertEqual(request.headers["content-type"], "application/webhook+json")
        XCTAssertEqual(request.body, body)
        let authorization = try XCTUnwrap(request.headers["authorization"])
        XCTAssertFalse(authorization.lowercased().hasPrefix("bearer"))
        let claims = try await WebhookSignerTests.verify(authorization, secret: "secret")
        XCTAssertEqual(claims.iss.value, "devkey")
        XCTAssertEqual(claims.sha256, WebhookSignerTests.bodyDigest(request.body))
        XCTAssertGreaterThan(claims.exp.value, Date())
    }

    func testRoomOrderHoldsWhileReceiverFails() async throws {
        // The receiver answers 500 to roughly half the requests (deterministically) for its first 60
        // requests, then 200.
        let receiver = try TestHTTPReceiver { request, index in
            guard index < 60 else { return 200 }
            return (index * 7 + request.body.count) % 2 == 0 ? 500 : 200
        }
        defer { receiver.stop() }
        let store = RecordingLogHandler.Store()
        let outbox = try WebhookOutbox(configuration: TestSupport.configuration(urls: [receiver.url], directory: directory),
                                       logger: TestSupport.logger(store))
        await outbox.start()
        let rooms = ["alpha", "beta", "gamma"]
        var expected: [String: [String]] = [:]
        for i in 0..<24 {
            let room = rooms[i % rooms.count]
            let id = "EV_\(room)_\(i)"
            expected[room, default: []].append(id)
            try await outbox.enqueue(id: id, room: room, event: "participant_joined",
                                     body: TestSupport.body(id: id, event: "participant_joined", room: room))
        }
        let drained = await TestSupport.waitUntil { await outbox.pendingCount == 0 }
        XCTAssertTrue(drained)
        await outbox.stop()

        let requests = receiver.requests
        XCTAssertGreaterThan(requests.filter { $0.status == 500 }.count, 0, "the test must exercise failures")
        for room in rooms {
            let attempts = requests.filter { TestSupport.room(of: $0.body) == room }
            let delivered = attempts.filter { $0.status == 200 }.compactMap { TestSupport.id(of: $0.body) }
            XCTAssertEqual(delivered, expected[room], "room \(room): every event once, in order")
            // A failing event blocks the later ones: attempts never go back or skip ahead.
            let order = attempts.compactMap { TestSupport.id(of: $0.body) }.compactMap { expected[room]?.firstIndex(of: $0) }
            XCTAssertEqual(order, order.sorted(), "room \(room): attempts are in enqueue order")
        }
        let warnings = store.entries.filter { $0.level == .warning }
        XCTAssertEqual(warnings.count, requests.filter { $0.status == 500 }.count, "one warning per failure")
        XCTAssertEqual(warnings.first?.metadata["url"], receiver.url)
        XCTAssertEqual(warnings.first?.metadata["error"], "HTTP status 500")
    }

    func testTwoURLsAreIndependent() async throws {
        let healthy = try TestHTTPReceiver()
        let failing = try TestHTTPReceiver { _, _ in 503 }
        defer { healthy.stop(); failing.stop() }
        let outbox = try WebhookOutbox(
            configuration: TestSupport.configuration(urls: [healthy.url, failing.url], directory: directory),
            logger: TestSupport.logger())
        await outbox.start()
        let ids = (0..<5).map { "EV_two_\($0)" }
        for id in ids {
            try await outbox.enqueue(id: id, room: "r", event: "track_published",
                                     body: TestSupport.body(id: id, event: "track_published", room: "r"))
        }
        let healthyDone = await TestSupport.waitUntil { healthy.delivered.count == ids.count }
        XCTAssertTrue(healthyDone, "the healthy URL gets everything while the other fails")
        let pendingWhileFailing = await outbox.pendingCount
        XCTAssertEqual(pendingWhileFailing, ids.count)
        XCTAssertEqual(failing.delivered.count, 0)
        XCTAssertTrue(failing.requests.allSatisfy { TestSupport.id(of: $0.body) == ids[0] }, "the head blocks its lane")

        failing.setResponder { _, _ in 200 }
        let drained = await TestSupport.waitUntil { await outbox.pendingCount == 0 }
        XCTAssertTrue(drained)
        await outbox.stop()
        XCTAssertEqual(failing.delivered.compactMap { TestSupport.id(of: $0.body) }, ids)
        XCTAssertEqual(healthy.requests.compactMap { TestSupport.id(of: $0.body) }, ids, "no re-sends to the healthy URL")
        let deliveredCount = await outbox.deliveredCount
        XCTAssertEqual(deliveredCount, 2 * ids.count)
    }

    func testRoomsAreIndependent() async throws {
        // Room "stuck"'s first event always fails; room "free" must still get through.
        let receiver = try TestHTTPReceiver { request, _ in TestSupport.room(of: request.body) == "stuck" ? 500 : 200 }
        defer { receiver.stop() }
        let outbox = try WebhookOutbox(configuration: TestSupport.configuration(urls: [receiver.url], directory: directory),
                                       logger: TestSupport.logger())
        await outbox.start()
        try await outbox.enqueue(id: "EV_s1", room: "stuck", event: "room_started",
                                 body: TestSupport.body(id: "EV_s1", event: "room_started", room: "stuck"))
        try await outbox.enqueue(id: "EV_s2", room: "stuck", event: "room_finished",
                                 body: TestSupport.body(id: "EV_s2", event: "room_finished", room: "stuck"))
        try await outbox.enqueue(id: "EV_f1", room: "free", event: "room_started",
                                 body: TestSupport.body(id: "EV_f1", event: "room_started", room: "free"))
        let freeDone = await TestSupport.waitUntil { await outbox.pendingCount == 2 }
        XCTAssertTrue(freeDone)
        await outbox.stop()
        XCTAssertEqual(receiver.delivered.compactMap { TestSupport.id(of: $0.body) }, ["EV_f1"])
        XCTAssertFalse(receiver.requests.contains { TestSupport.id(of: $0.body) == "EV_s2" })
    }

    func testConnectionRefusedIsRetried() async throws {
        // Find a free port, then close it so connections are refused.
        let probe = try TestHTTPReceiver()
        let port = probe.port
        probe.stop()
        let store = RecordingLogHandler.Store()
        let url = "http://127.0.0.1:\(port)/webhook"
        let outbox = try WebhookOutbox(configuration: TestSupport.configuration(urls: [url], directory: directory),
                                       logger: TestSupport.logger(store))
        await outbox.start()
        try await outbox.enqueue(id: "EV_late", room: "r", event: "room_started",
                                 body: TestSupport.body(id: "EV_late", event: "room_started", room: "r"))
        let failedTwice = await TestSupport.waitUntil { store.entries.filter { $0.level == .warning }.count >= 2 }
        XCTAssertTrue(failedTwice)
        XCTAssertEqual(store.entries.first { $0.level == .warning }?.metadata["url"], url)
        let receiver = try TestHTTPReceiver(port: port)
        defer { receiver.stop() }
        let drained = await TestSupport.waitUntil { await outbox.pendingCount == 0 }
        XCTAssertTrue(drained)
        await outbox.stop()
        XCTAssertEqual(receiver.delivered.compactMap { TestSupport.id(of: $0.body) }, ["EV_late"])
    }

    func testTimeoutCountsAsFailureAndIsRetried() async throws {
        // The first request is answered only after the client gave up; the retry succeeds.
        let receiver = try TestHTTPReceiver { _, index in
            if index == 0 { Thread.sleep(forTimeInterval: 1.0) }
            return 200
        }
        defer { receiver.stop() }
        let store = RecordingLogHandler.Store()
        var configuration = TestSupport.configuration(urls: [receiver.url], directory: directory)
        configuration.requestTimeout = 0.3
        let outbox = try WebhookOutbox(configuration: configuration, logger: TestSupport.logger(store))
        await outbox.start()
        try await outbox.enqueue(id: "EV_slow", room: "r", event: "room_started",
                                 body: TestSupport.body(id: "EV_slow", event: "room_started", room: "r"))
        let drained = await TestSupport.waitUntil { await outbox.pendingCount == 0 }
        XCTAssertTrue(drained)
        await outbox.stop()
        XCTAssertGreaterThanOrEqual(store.entries.filter { $0.level == .warning }.count, 1, "the timeout was a failure")
        // At least once: the timed-out attempt may have reached the receiver too, with the same id.
        XCTAssertEqual(Set(receiver.requests.compactMap { TestSupport.id(of: $0.body) }), ["EV_slow"])
        XCTAssertGreaterThanOrEqual(receiver.requests.count, 2)
    }

    /// An outbox whose one event is being delivered to a receiver that answers after `delay`.
    private func outboxWithOneAttemptInFlight(receiverDelay delay: Double) async throws -> (WebhookOutbox, TestHTTPReceiver) {
        let receiver = try TestHTTPReceiver { _, _ in
            Thread.sleep(forTimeInterval: delay)
            return 200
        }
        var configuration = TestSupport.configuration(urls: [receiver.url], directory: directory)
        configuration.requestTimeout = 10
        let outbox = try WebhookOutbox(configuration: configuration, logger: TestSupport.logger())
        await outbox.start()
        try await outbox.enqueue(id: "EV_inflight", room: "r", event: "room_started",
                                 body: TestSupport.body(id: "EV_inflight", event: "room_started", room: "r"))
        try await Task.sleep(nanoseconds: 100_000_000)
        return (outbox, receiver)
    }

    /// stop() does not cancel an attempt in flight (cancelling a URLSession request as it
    /// completes deadlocks swift-corelibs-foundation); it waits for it, at most its bound.
    func testStopWaitsAtMostItsBoundForARequestInFlight() async throws {
        let (outbox, receiver) = try await outboxWithOneAttemptInFlight(receiverDelay: 3.0)
        defer { receiver.stop() }
        let started = Date()
        await outbox.stop(within: 0.5)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5, "stop() is bounded")
        let pending = await outbox.pendingCount
        XCTAssertEqual(pending, 1, "not delivered yet: it stays pending for the next run")
    }

    func testStopLetsAShortRequestInFlightFinish() async throws {
        let (outbox, receiver) = try await outboxWithOneAttemptInFlight(receiverDelay: 0.5)
        defer { receiver.stop() }
        await outbox.stop(within: 20)
        let delivered = await outbox.deliveredCount, pending = await outbox.pendingCount
        XCTAssertEqual(delivered, 1, "the attempt in flight was let finish and recorded")
        XCTAssertEqual(pending, 0)
    }
}
