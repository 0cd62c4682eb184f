/// Reliable data channel messages for a channel that is not open yet, kept in order and sent
/// when it opens. An SDK reports `connected` once its peer connection is up, before SCTP
/// (RFC 8261) and the DCEP open (RFC 8832) have run, so a message relayed to a participant
/// that just joined would otherwise be dropped. Bounded per label; past the bound the oldest
/// go first and are counted.
struct PendingDataMessages {
    static let maxMessages = 512
    static let maxBytes = 4 << 20
    private(set) var byLabel: [String: [[UInt8]]] = [:]
    private var bytes: [String: Int] = [:]

    /// Queues `data`; returns how many older messages were dropped to stay in bounds.
    mutating func append(_ data: [UInt8], label: String) -> Int {
        var queue = byLabel[label, default: []]
        var size = bytes[label, default: 0] + data.count
        queue.append(data)
        var dropped = 0
        while queue.count > Self.maxMessages || size > Self.maxBytes, !queue.isEmpty {
            size -= queue.removeFirst().count
            dropped += 1
        }
        byLabel[label] = queue
        bytes[label] = size
        return dropped
    }

    /// The queued messages for `label`, in order; the queue is emptied.
    mutating func take(label: String) -> [[UInt8]] {
        bytes[label] = nil
        return byLabel.removeValue(forKey: label) ?? []
    }

    var isEmpty: Bool { byLabel.isEmpty }
}
