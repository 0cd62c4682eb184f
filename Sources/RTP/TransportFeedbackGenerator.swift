/// Receiver side of transport-wide congestion control: records the arrival time of every packet
/// carrying the transport-wide sequence number header extension and turns them into transport
/// feedback messages (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
///
/// A pure state machine: the caller passes arrival times in seconds and decides when to send
/// (typically every 50-100 ms). Each `makeFeedback` call reports everything recorded since the
/// previous call; packets whose sequence number was already covered by a feedback are ignored.
public struct TransportFeedbackGenerator: Sendable {
    public let senderSSRC: UInt32
    public let mediaSSRC: UInt32
    /// Upper bound on the serialized size of one feedback packet (RTCP header included), so
    /// feedback fits in one datagram next to SRTCP overhead.
    public var maxPacketBytes: Int
    /// At most this many sequence numbers are reported per `makeFeedback` call; older unreported
    /// ones are dropped (bounds the work after a long pause or a sequence jump).
    public var maxReportedSpan: Int64

    private var unwrapper = SequenceUnwrapper()
    /// Unwrapped sequence number -> arrival in 250 µs ticks.
    private var arrivals: [Int64: Int64] = [:]
    private var lowestPending: Int64 = .max
    private var highestPending: Int64 = .min
    /// First sequence number not covered by a feedback yet (nil before the first feedback).
    private var nextToReport: Int64?
    private var feedbackPacketCount: UInt8 = 0

    /// §3.1: reference time unit (64 ms) expressed in 250 µs delta ticks.
    static let ticksPerReferenceUnit: Int64 = 256
    static let ticksPerSecond: Double = 4000

    public init(senderSSRC: UInt32, mediaSSRC: UInt32 = 0) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.maxPacketBytes = 1200
        self.maxReportedSpan = 1 << 15
    }

    /// Record one arrival: the 16-bit transport-wide sequence number from the header extension
    /// and the arrival time in seconds. Duplicates keep the first arrival time.
    public mutating func packetArrived(transportSequenceNumber: UInt16, arrival: Double) {
        guard arrival.isFinite, abs(arrival) < 1e12 else { return }
        let seq = unwrapper.unwrap(transportSequenceNumber)
        if let nextToReport, seq < nextToReport { return }  // already reported (or lost) earlier
        guard arrivals[seq] == nil else { return }
        arrivals[seq] = Int64((arrival * Self.ticksPerSecond).rounded())
        lowestPending = min(lowestPending, seq)
        highestPending = max(highestPending, seq)
    }

    /// Feedback packets covering everything recorded since the last call, with increasing
    /// `feedbackPacketCount`. Sequence numbers in between that never arrived are reported as not
    /// received. A new packet is started when the size budget is reached, when the status count
    /// would exceed 16 bits, or when a receive delta does not fit in a signed 16-bit field (§3.1.5).
    /// Returns [] if nothing new arrived. `now` is accepted for symmetry with the shell's timer.
    public mutating func makeFeedback(now: Double) -> [TransportFeedback] {
        guard !arrivals.isEmpty else { return [] }
        let end = highestPending
        var seq = nextToReport ?? lowestPending
        if end - seq >= maxReportedSpan { seq = end - maxReportedSpan + 1 }

        var out: [TransportFeedback] = []
        while seq <= end {
            var packet = PacketBuilder(base: seq)
            while seq <= end {
                if let ticks = arrivals[seq] {
                    guard packet.tryAppendReceived(ticks: ticks, budget: maxPacketBytes) else { break }
                } else {
                    guard packet.tryAppendNotReceived(budget: maxPacketBytes) else { break }
                }
                seq += 1
            }
            out.append(TransportFeedback(
                senderSSRC: senderSSRC, mediaSSRC: mediaSSRC,
                baseSequenceNumber: UInt16(truncatingIfNeeded: packet.base),
                referenceTime: packet.referenceTime, feedbackPacketCount: feedbackPacketCount,
                packets: packet.statuses))
            feedbackPacketCount &+= 1
        }

        nextToReport = end + 1
        arrivals.removeAll(keepingCapacity: true)
        lowestPending = .max
        highestPending = .min
        return out
    }
}

/// Accumulates the statuses of one feedback packet and keeps a conservative estimate of its
/// serialized size.
private struct PacketBuilder {
    let base: Int64
    var statuses: [TransportFeedbackPacketStatus] = []
    /// Reference time in 64 ms units, taken from the first received packet.
    private var referenceUnits: Int64?
    private var previousTicks: Int64 = 0
    private var deltaBytes = 0
    private var chunkEstimate = ChunkEstimate()

    init(base: Int64) { self.base = base }

    /// 24-bit signed reference time field (§3.1), wrapped like the wire value.
    var referenceTime: Int32 {
        let raw = UInt32(truncatingIfNeeded: referenceUnits ?? 0) & 0xFF_FFFF
        return Int32(bitPattern: raw << 8) >> 8
    }

    /// RTCP header (4) + fixed feedback fields (16) + chunks + deltas + up to 3 padding bytes.
    private func size(chunks: ChunkEstimate, deltaBytes: Int) -> Int {
        20 + chunks.bytes + deltaBytes + 3
    }

    mutating func tryAppendReceived(ticks: Int64, budget: Int) -> Bool {
        let delta: Int64
        var newReference = referenceUnits
        if referenceUnits != nil {
            delta = ticks - previousTicks
            // §3.1.5: a delta must fit in 16 signed bits; otherwise start a new packet.
            guard delta >= Int64(Int16.min), delta <= Int64(Int16.max) else { return false }
        } else {
            let units = floorDiv(ticks, TransportFeedbackGenerator.ticksPerReferenceUnit)
            newReference = units
            delta = ticks - units * TransportFeedbackGenerator.ticksPerReferenceUnit  // 0...255
        }
        let small = (0...255).contains(delta)
        guard let chunks = fits(symbol: small ? 1 : 2, extraDeltaBytes: small ? 1 : 2, budget: budget)
        else { return false }
        chunkEstimate = chunks
        deltaBytes += small ? 1 : 2
        referenceUnits = newReference
        previousTicks = ticks
        statuses.append(.received(deltaTicks: Int32(delta)))
        return true
    }

    mutating func tryAppendNotReceived(budget: Int) -> Bool {
        guard let chunks = fits(symbol: 0, extraDeltaBytes: 0, budget: budget) else { return false }
        chunkEstimate = chunks
        statuses.append(.notReceived)
        return true
    }

    private func fits(symbol: UInt8, extraDeltaBytes: Int, budget: Int) -> ChunkEstimate? {
        var chunks = chunkEstimate
        chunks.append(symbol)
        if statuses.isEmpty { return chunks }  // always make progress
        guard statuses.count < 0xFFFF,
              size(chunks: chunks, deltaBytes: deltaBytes + extraDeltaBytes) <= budget else { return nil }
        return chunks
    }

    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && a < 0) ? q - 1 : q
    }
}

/// Upper bound on the bytes the packet status chunks (§3.1.3, §3.1.4) take, for any greedy
/// encoder that uses run length chunks for runs of 14 or more equal symbols and vector chunks
/// (at least 7 symbols each) otherwise. Symbols in short runs cost 2 bytes per 7; each long run
/// costs its run length chunks (8191 symbols each) plus up to 3 vector chunks around its edges;
/// plus one chunk for a final partial vector.
private struct ChunkEstimate {
    private var shortSymbols = 0
    private var longRunChunks = 0
    private var currentSymbol: UInt8 = 0xFF
    private var currentRun = 0

    mutating func append(_ symbol: UInt8) {
        if symbol == currentSymbol {
            currentRun += 1
        } else {
            if currentRun >= 14 {
                longRunChunks += Self.longRunCost(currentRun)
            } else {
                shortSymbols += currentRun
            }
            currentSymbol = symbol
            currentRun = 1
        }
    }

    private static func longRunCost(_ run: Int) -> Int { 3 + (run + 8190) / 8191 }

    var bytes: Int {
        var short = shortSymbols
        var long = longRunChunks
        if currentRun >= 14 { long += Self.longRunCost(currentRun) } else { short += currentRun }
        return 2 * ((short + 6) / 7 + 1 + long)
    }
}
