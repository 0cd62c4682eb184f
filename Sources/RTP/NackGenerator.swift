/// Receiver-side NACK scheduling (in the spirit of RFC 4585 §3.2): tracks sequence number gaps
/// and says which are due for a Generic NACK now. Each missing packet is asked for at most
/// `maxRetries` times, at least `retryInterval` seconds apart; gaps more than `maxAge` packets
/// behind the newest are forgotten. Pure state machine: the caller supplies the clock.
public struct NackGenerator: Sendable {
    private struct Missing: Sendable {
        var sequence: Int64
        var retries: Int
        var lastRequested: Double?
    }

    public let maxRetries: Int
    public let maxAge: Int
    public private(set) var retryInterval: Double

    private var unwrapper = SequenceUnwrapper()
    private var newest: Int64?
    /// Sorted by `sequence`, ascending.
    private var missing: [Missing] = []

    public init(maxRetries: Int = 10, retryInterval: Double = 0.02, maxAge: Int = 1000) {
        self.maxRetries = max(1, maxRetries)
        self.retryInterval = max(0, retryInterval)
        self.maxAge = max(1, maxAge)
    }

    /// Records an arrival; a retransmission (or late packet) filling a gap removes it.
    public mutating func packetReceived(sequenceNumber: UInt16, now: Double) {
        let ext = unwrapper.unwrap(sequenceNumber)
        guard let newest else {
            self.newest = ext
            return
        }
        if ext > newest {
            // Only gaps within the age window are worth tracking.
            let firstGap = max(newest + 1, ext - Int64(maxAge))
            if firstGap < ext {
                for seq in firstGap..<ext { missing.append(Missing(sequence: seq, retries: 0, lastRequested: nil)) }
            }
            self.newest = ext
            dropOld()
        } else if let index = indexOf(ext) {
            missing.remove(at: index)
        }
    }

    /// Sequence numbers to NACK now; each returned number counts as one request.
    public mutating func dueNacks(now: Double) -> [UInt16] {
        missing.removeAll { $0.retries >= maxRetries }
        var due: [UInt16] = []
        for i in missing.indices {
            let entry = missing[i]
            if let last = entry.lastRequested, now - last + 1e-9 < retryInterval { continue }
            missing[i].retries += 1
            missing[i].lastRequested = now
            due.append(UInt16(truncatingIfNeeded: entry.sequence))
        }
        return due
    }

    /// Gaps still being tracked (including ones whose retries are exhausted but not yet pruned).
    public var missingCount: Int { missing.count }

    /// E.g. from the measured RTT.
    public mutating func setRetryInterval(_ seconds: Double) {
        if seconds.isFinite { retryInterval = max(0, seconds) }
    }

    /// Forgets all gaps (e.g. after a keyframe made them irrelevant).
    public mutating func reset() {
        missing.removeAll()
    }

    private mutating func dropOld() {
        guard let newest else { return }
        let oldest = newest - Int64(maxAge)
        if let firstKept = missing.firstIndex(where: { $0.sequence >= oldest }) {
            if firstKept > 0 { missing.removeFirst(firstKept) }
        } else {
            missing.removeAll()
        }
    }

    private func indexOf(_ seq: Int64) -> Int? {
        var lo = 0
        var hi = missing.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if missing[mid].sequence < seq { lo = mid + 1 } else { hi = mid }
        }
        return lo < missing.count && missing[lo].sequence == seq ? lo : nil
    }
}
