/// One delivery lane: the events of one room for one URL, delivered strictly in enqueue order.
struct OutboxLane: Hashable, Sendable {
    var url: String
    var room: String
}

/// The outbox's pending state as a pure value: which event goes next on each lane and which
/// (event, URL) pairs are still owed. Rebuilt from journal records on startup; no I/O.
struct OutboxState: Sendable {
    private struct Entry: Sendable {
        var event: OutboxEvent
        var sequence: Int
        var remaining: Set<String>
    }

    /// URLs delivery may target; recorded URLs outside this set are dropped on replay.
    let configuredURLs: [String]
    private var entries: [String: Entry] = [:]
    private var lanes: [OutboxLane: [String]] = [:]
    private var nextSequence = 0
    /// (event, URL) pairs not yet delivered.
    private(set) var pendingCount = 0

    init(configuredURLs: [String]) {
        var seen = Set<String>()
        self.configuredURLs = configuredURLs.filter { seen.insert($0).inserted }
    }

    func contains(id: String) -> Bool { entries[id] != nil }

    /// Lanes that have something to deliver.
    var activeLanes: [OutboxLane] { lanes.compactMap { $0.value.isEmpty ? nil : $0.key } }

    /// The event a lane must deliver next; later events of that room wait for it.
    func head(of lane: OutboxLane) -> OutboxEvent? {
        guard let id = lanes[lane]?.first else { return nil }
        return entries[id]?.event
    }

    /// Applies one journal record. Returns false when it changes nothing (a duplicate id, an event
    /// without configured URLs, a delivery of something not pending).
    @discardableResult
    mutating func apply(_ record: OutboxRecord) -> Bool {
        switch record {
        case .enqueue(let event):
            return add(event)
        case .delivered(let id, let url):
            return markDelivered(id: id, url: url)
        }
    }

    private mutating func add(_ event: OutboxEvent) -> Bool {
        guard entries[event.id] == nil else { return false }
        let configured = Set(configuredURLs)
        var urls: [String] = []
        var seen = Set<String>()
        for url in event.urls where configured.contains(url) && seen.insert(url).inserted { urls.append(url) }
        guard !urls.isEmpty else { return false }
        var stored = event
        stored.urls = urls
        entries[event.id] = Entry(event: stored, sequence: nextSequence, remaining: seen)
        nextSequence += 1
        for url in urls { lanes[OutboxLane(url: url, room: event.room), default: []].append(event.id) }
        pendingCount += urls.count
        return true
    }

    /// Records that `id` reached `url`. Lanes deliver in order, so the event is normally the head of
    /// its lane; a replayed record may name any position and is honoured all the same.
    @discardableResult
    mutating func markDelivered(id: String, url: String) -> Bool {
        guard var entry = entries[id], entry.remaining.remove(url) != nil else { return false }
        let lane = OutboxLane(url: url, room: entry.event.room)
        if var queue = lanes[lane], let index = queue.firstIndex(of: id) {
            queue.remove(at: index)
            lanes[lane] = queue.isEmpty ? nil : queue
        }
        pendingCount -= 1
        entries[id] = entry.remaining.isEmpty ? nil : entry
        return true
    }

    /// The smallest journal that rebuilds this state: each pending event once, in enqueue order,
    /// listing only the URLs it still owes.
    func compactedRecords() -> [OutboxRecord] {
        entries.values.sorted { $0.sequence < $1.sequence }.map { entry in
            var event = entry.event
            event.urls = event.urls.filter { entry.remaining.contains($0) }
            return .enqueue(event)
        }
    }
}
