import Foundation
import Logging

/// A durable outbox of webhook events: every event is journaled (fsync'ed) before `enqueue` returns,
/// then delivered at least once to every configured URL, retrying with exponential backoff for as
/// long as the server runs.
///
/// Delivery runs in lanes, one per (URL, room): a lane delivers its room's events in enqueue order
/// and a failing event blocks only the later events of that lane. Each lane is one task, started
/// when it has work and ending when it is empty; `stop()` cancels and awaits them all.
public actor WebhookOutbox {
    private let configuration: WebhookConfiguration
    private let logger: Logger
    private let journal: OutboxJournal
    private var state: OutboxState
    private let sender: WebhookHTTPSender
    private let backoff: RetryBackoff
    private var running = false
    private var laneTasks: [OutboxLane: (token: UInt64, task: Task<Void, Never>)] = [:]
    private var nextToken: UInt64 = 0
    /// Journal size that triggers a rewrite while events are still pending (grows with the backlog).
    private var backlogCompactionSize: Int

    /// (event, URL) pairs not yet delivered.
    public var pendingCount: Int { state.pendingCount }
    /// (event, URL) pairs delivered since this outbox was created.
    public private(set) var deliveredCount = 0

    /// Opens (or creates) the journal in `configuration.directory` and replays it: everything enqueued
    /// and not yet delivered to every URL is pending again. The journal is compacted right away, which
    /// also drops a torn last line left by a crash.
    public init(configuration: WebhookConfiguration, logger: Logger) throws {
        // Everything is built in locals first: an actor's initializer may not use `self` before all of
        // its stored properties are set.
        let journal = try OutboxJournal(directory: configuration.directory)
        let contents = OutboxJournalContents.parse(try journal.readAll(), configuredURLs: configuration.urls)
        if contents.tornTail {
            logger.warning("webhook journal ends in a torn line (crash during append); ignoring it",
                           metadata: ["path": "\(journal.path)"])
        }
        if contents.skippedLines > 0 {
            logger.error("webhook journal has unreadable lines; skipping them",
                         metadata: ["path": "\(journal.path)", "lines": "\(contents.skippedLines)"])
        }
        var state = OutboxState(configuredURLs: configuration.urls)
        for record in contents.records { state.apply(record) }
        try journal.rewrite(state.compactedRecords())
        if state.pendingCount > 0 {
            logger.info("webhook outbox replayed pending deliveries", metadata: ["pending": "\(state.pendingCount)"])
        }
        self.configuration = configuration
        self.logger = logger
        self.journal = journal
        self.state = state
        backlogCompactionSize = Self.backlogThreshold(journalSize: journal.size, configuration: configuration)
        sender = WebhookHTTPSender(apiKey: configuration.apiKey, apiSecret: configuration.apiSecret,
                                   timeout: configuration.requestTimeout)
        backoff = RetryBackoff(initial: configuration.initialBackoff, maximum: configuration.maxBackoff)
    }

    /// Starts delivery of everything pending and of every event enqueued from now on.
    public func start() {
        guard !running else { return }
        running = true
        for lane in state.activeLanes { startLaneIfIdle(lane) }
    }

    /// Durably records the event (fsync) before returning, then delivers it at least once to every URL.
    /// Enqueueing an id that is still pending does nothing.
    public func enqueue(id: String, room: String, event: String, body: [UInt8]) throws {
        guard !state.contains(id: id) else {
            logger.debug("webhook event already queued", metadata: ["id": "\(id)"])
            return
        }
        let queued = OutboxEvent(id: id, room: room, event: event, body: body, urls: state.configuredURLs)
        guard !queued.urls.isEmpty else { return }
        try journal.append(.enqueue(queued))
        state.apply(.enqueue(queued))
        guard running else { return }
        for url in queued.urls { startLaneIfIdle(OutboxLane(url: url, room: room)) }
    }

    /// Stops delivery and waits (at most `seconds`) for the lanes to wind down; pending events
    /// stay in the journal, and an attempt cut short is made again by the next run (at least
    /// once, under the same event id).
    public func stop(within seconds: Double = 3) async {
        running = false
        let tasks = laneTasks.values.map(\.task)
        for task in tasks { task.cancel() }
        if await !waitForAll(tasks, atMost: seconds) {
            logger.warning("webhook delivery still in flight \(seconds) s after stop; left to the next run",
                           metadata: ["lanes": "\(tasks.count)"])
        }
    }

    // MARK: - Lanes

    private func startLaneIfIdle(_ lane: OutboxLane) {
        guard running, laneTasks[lane] == nil, state.head(of: lane) != nil else { return }
        nextToken += 1
        let token = nextToken
        let task = Task { await self.runLane(lane, token: token) }
        laneTasks[lane] = (token, task)
    }

    /// Delivers the lane's events one at a time, each until it succeeds.
    private func runLane(_ lane: OutboxLane, token: UInt64) async {
        var failures = 0
        while running, !Task.isCancelled, let event = state.head(of: lane) {
            // The attempt runs in a task of its own, which `stop()` does not cancel: cancelling a
            // URLSession request as it completes deadlocks swift-corelibs-foundation (the
            // cancellation handler waits on the session's queue while that queue waits on the
            // task's status lock to resume it). An attempt ends by itself within its timeout.
            let sender = self.sender
            let attempt = Task.detached { await sender.deliver(event, to: lane.url) }
            switch await attempt.value {
            case .delivered:
                failures = 0
                recordDelivered(event, url: lane.url)
            case .failed(let reason):
                failures += 1
                let delay = backoff.delay(afterFailures: failures, jitter: Double.random(in: 0..<1))
                logger.warning("webhook delivery failed", metadata: [
                    "url": "\(lane.url)", "error": "\(reason)", "id": "\(event.id)", "event": "\(event.event)",
                    "room": "\(event.room)", "attempt": "\(failures)",
                    "retryIn": "\(String(format: "%.3f", delay))s",
                ])
                do {
                    try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
                } catch {
                    break  // cancelled by stop()
                }
            }
        }
        guard laneTasks[lane]?.token == token else { return }
        laneTasks[lane] = nil
        // `start()` may have run again while `stop()` was winding this task down.
        if running { startLaneIfIdle(lane) }
    }

    private func recordDelivered(_ event: OutboxEvent, url: String) {
        do {
            try journal.append(.delivered(id: event.id, url: url))
        } catch {
            // Still delivered; after a restart it would be sent again with the same id (at least once).
            logger.error("webhook journal write failed", metadata: ["error": "\(error)", "id": "\(event.id)"])
        }
        if state.markDelivered(id: event.id, url: url) { deliveredCount += 1 }
        logger.debug("webhook delivered", metadata: ["url": "\(url)", "id": "\(event.id)", "event": "\(event.event)"])
        compactIfGrown()
    }

    /// Rewrites the journal once it has grown: to nothing when everything is delivered, or to the
    /// pending events when a long backlog keeps it from ever emptying.
    private func compactIfGrown() {
        let size = journal.size
        let drained = state.pendingCount == 0 && size >= configuration.compactionThreshold
        guard drained || size >= backlogCompactionSize else { return }
        do {
            try journal.rewrite(state.compactedRecords())
            backlogCompactionSize = Self.backlogThreshold(journalSize: journal.size, configuration: configuration)
        } catch {
            logger.error("webhook journal compaction failed", metadata: ["error": "\(error)"])
        }
    }

    private static func backlogThreshold(journalSize: Int, configuration: WebhookConfiguration) -> Int {
        max(8 * max(configuration.compactionThreshold, 1), 2 * journalSize)
    }
}
