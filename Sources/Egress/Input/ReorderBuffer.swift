import RTP

/// One RTP packet held by the reorder buffer, with its parsed header.
struct BufferedPacket: Sendable {
    var sequence: Int64
    var arrival: Double
    var header: RTPHeader
    var bytes: [UInt8]
}

/// What the reorder buffer hands on, in sequence order.
enum ReleasedPacket: Sendable {
    case packet(BufferedPacket)
    /// One or more sequence numbers were never received and will not be waited for any longer.
    case gap
}

/// A NACK-free jitter buffer keyed by unwrapped sequence number (RFC 3550 §A.1): packets leave in
/// sequence order; a hole is waited for until either `maxPackets` newer packets span it or the
/// oldest waiting packet has been held `maxDelay` seconds, then it is declared lost (`.gap`).
/// Storage is a fixed ring of slots, so holding a packet does not allocate.
struct ReorderBuffer: Sendable {
    let maxPackets: Int
    let maxDelay: Double
    private var slots: [BufferedPacket?]
    private var mask: Int
    /// Packets currently held (all newer than `nextSequence`).
    private(set) var count = 0
    /// The next sequence number to release; nil before the first packet.
    private(set) var nextSequence: Int64?

    enum InsertResult: Equatable { case accepted, late, duplicate }

    init(maxPackets: Int = 64, maxDelay: Double = 0.1) {
        self.maxPackets = max(1, maxPackets)
        self.maxDelay = maxDelay
        var capacity = 1
        while capacity < 2 * self.maxPackets { capacity <<= 1 }
        slots = Array(repeating: nil, count: capacity)
        mask = capacity - 1
    }

    @inline(__always) private func index(_ seq: Int64) -> Int { Int(truncatingIfNeeded: seq) & mask }

    /// Adds a packet and appends everything that can now leave to `out`.
    mutating func insert(_ packet: BufferedPacket, now: Double, into out: inout [ReleasedPacket]) -> InsertResult {
        let seq = packet.sequence
        if nextSequence == nil { nextSequence = seq }
        guard let next = nextSequence, seq >= next else { return .late }
        // Keep the window bounded: a packet this far ahead declares the holes before it lost.
        while let n = nextSequence, seq - n >= Int64(maxPackets) {
            if count == 0 {
                out.append(.gap)
                nextSequence = seq - Int64(maxPackets) + 1
                break
            }
            skipToOldestHeld(into: &out)
        }
        let i = index(seq)
        if let held = slots[i], held.sequence == seq { return .duplicate }
        slots[i] = packet
        count += 1
        drain(into: &out)
        // Time limit: a hole older than maxDelay is given up on.
        while count > 0, now - oldestHeldArrival() > maxDelay {
            skipToOldestHeld(into: &out)
        }
        return .accepted
    }

    /// Releases everything held, declaring every remaining hole lost.
    mutating func flush(into out: inout [ReleasedPacket]) {
        while count > 0 { skipToOldestHeld(into: &out) }
    }

    /// Forgets all state (new stream); held packets are discarded.
    mutating func reset() {
        for i in slots.indices { slots[i] = nil }
        count = 0
        nextSequence = nil
    }

    /// Releases the contiguous run starting at `nextSequence`.
    private mutating func drain(into out: inout [ReleasedPacket]) {
        while count > 0, let n = nextSequence, let held = slots[index(n)], held.sequence == n {
            slots[index(n)] = nil
            count -= 1
            out.append(.packet(held))
            nextSequence = n + 1
        }
    }

    /// Declares the hole at `nextSequence` lost and releases from the oldest held packet on.
    private mutating func skipToOldestHeld(into out: inout [ReleasedPacket]) {
        guard count > 0, let n = nextSequence else { return }
        if let held = slots[index(n)], held.sequence == n {
            drain(into: &out)
            return
        }
        var lowest = Int64.max
        for slot in slots { if let s = slot?.sequence, s < lowest { lowest = s } }
        guard lowest != Int64.max, lowest > n else { return }
        out.append(.gap)
        nextSequence = lowest
        drain(into: &out)
    }

    private func oldestHeldArrival() -> Double {
        var oldest = Double.infinity
        for slot in slots { if let a = slot?.arrival, a < oldest { oldest = a } }
        return oldest
    }
}
