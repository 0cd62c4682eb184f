/// Per-packet status in a transport-wide congestion control feedback message.
public enum TransportFeedbackPacketStatus: Sendable, Equatable {
    case notReceived
    /// Receive delta in 250 µs ticks, relative to the previous received packet (the first one is
    /// relative to the reference time). 0...255 is sent as a small delta, anything else as a
    /// large (signed 16-bit, clamped) delta.
    case received(deltaTicks: Int32)
}

/// Transport-wide CC feedback, draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1
/// (RTPFB, PT 205, FMT 15).
public struct TransportFeedback: Sendable, Equatable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    public var baseSequenceNumber: UInt16
    /// 24-bit signed, in 64 ms units.
    public var referenceTime: Int32
    public var feedbackPacketCount: UInt8
    /// One status per sequence number starting at `baseSequenceNumber` (at most 65535).
    public var packets: [TransportFeedbackPacketStatus]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, baseSequenceNumber: UInt16, referenceTime: Int32,
                feedbackPacketCount: UInt8, packets: [TransportFeedbackPacketStatus]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.baseSequenceNumber = baseSequenceNumber
        self.referenceTime = referenceTime
        self.feedbackPacketCount = feedbackPacketCount
        self.packets = packets
    }

    static let format: UInt8 = 15

    // §3.1.1 status symbols.
    private static let symbolNotReceived: UInt8 = 0
    private static let symbolSmallDelta: UInt8 = 1
    private static let symbolLargeDelta: UInt8 = 2

    private static func symbol(for status: TransportFeedbackPacketStatus) -> UInt8 {
        switch status {
        case .notReceived: return symbolNotReceived
        case .received(let d): return (0...255).contains(d) ? symbolSmallDelta : symbolLargeDelta
        }
    }

    static func parse(body: UnsafeRawBufferPointer) throws(RTCPParseError) -> TransportFeedback {
        let n = body.count
        guard n >= 16 else { throw .badLength }
        let statusCount = Int(body.be16(10))
        let rawReference = body.be24(12)
        var fb = TransportFeedback(
            senderSSRC: body.be32(0), mediaSSRC: body.be32(4), baseSequenceNumber: body.be16(8),
            referenceTime: Int32(bitPattern: rawReference << 8) >> 8,  // sign-extend 24 bits
            feedbackPacketCount: body[15], packets: [])

        // §3.1.3/§3.1.4 packet status chunks, until statusCount symbols are known.
        var symbols: [UInt8] = []
        symbols.reserveCapacity(statusCount)
        var o = 16
        while symbols.count < statusCount {
            guard o + 2 <= n else { throw .malformed }
            let chunk = body.be16(o)
            o += 2
            let remaining = statusCount - symbols.count
            if chunk & 0x8000 == 0 {
                // Run length chunk: T=0 | S (2) | run length (13).
                let symbol = UInt8((chunk >> 13) & 0x3)
                let run = Int(chunk & 0x1FFF)
                guard run > 0 else { throw .malformed }
                for _ in 0..<min(run, remaining) { symbols.append(symbol) }
            } else if chunk & 0x4000 == 0 {
                // Status vector chunk, 14 one-bit symbols (0 = not received, 1 = small delta).
                for i in 0..<min(14, remaining) { symbols.append(UInt8((chunk >> (13 - i)) & 0x1)) }
            } else {
                // Status vector chunk, 7 two-bit symbols.
                for i in 0..<min(7, remaining) { symbols.append(UInt8((chunk >> (12 - 2 * i)) & 0x3)) }
            }
        }

        // §3.1.5 receive deltas; trailing bytes after them are padding.
        fb.packets.reserveCapacity(statusCount)
        for symbol in symbols {
            switch symbol {
            case symbolNotReceived:
                fb.packets.append(.notReceived)
            case symbolSmallDelta:
                guard o + 1 <= n else { throw .malformed }
                fb.packets.append(.received(deltaTicks: Int32(body[o])))
                o += 1
            case symbolLargeDelta:
                guard o + 2 <= n else { throw .malformed }
                fb.packets.append(.received(deltaTicks: Int32(Int16(bitPattern: body.be16(o)))))
                o += 2
            default:
                throw .malformed  // symbol 11 is reserved
            }
        }
        return fb
    }

    func write(into s: inout ByteSink) {
        let list = packets.prefix(0xFFFF)
        let symbols = list.map(TransportFeedback.symbol(for:))
        let start = s.beginRTCP(count: TransportFeedback.format, packetType: FeedbackType.transportLayer)
        s.u32(senderSSRC)
        s.u32(mediaSSRC)
        s.u16(baseSequenceNumber)
        s.u16(UInt16(symbols.count))
        s.u24(UInt32(bitPattern: referenceTime) & 0xFF_FFFF)
        s.u8(feedbackPacketCount)
        TransportFeedback.writeChunks(symbols, into: &s)
        for status in list {
            guard case .received(let d) = status else { continue }
            if (0...255).contains(d) {
                s.u8(UInt8(d))
            } else {
                s.u16(UInt16(bitPattern: Int16(clamping: d)))
            }
        }
        s.endRTCPUsingPaddingBit(start: start)
    }

    /// Greedy chunk encoder: run length chunks for long runs, otherwise one-bit vectors when all
    /// symbols fit in one bit, otherwise two-bit vectors.
    private static func writeChunks(_ symbols: [UInt8], into s: inout ByteSink) {
        var i = 0
        let n = symbols.count
        while i < n {
            var run = 1
            while i + run < n, run < 0x1FFF, symbols[i + run] == symbols[i] { run += 1 }
            let oneBitSpan = min(14, n - i)
            let fitsOneBit = !symbols[i..<(i + oneBitSpan)].contains { $0 > 1 }
            if run >= 14 || (run >= 7 && !fitsOneBit) || (run == n - i && run > 1) {
                s.u16(UInt16(symbols[i]) << 13 | UInt16(run))
                i += run
            } else if fitsOneBit {
                var chunk: UInt16 = 0x8000
                for k in 0..<oneBitSpan { chunk |= UInt16(symbols[i + k]) << (13 - k) }
                s.u16(chunk)
                i += oneBitSpan
            } else {
                let span = min(7, n - i)
                var chunk: UInt16 = 0xC000
                for k in 0..<span { chunk |= UInt16(symbols[i + k]) << (12 - 2 * k) }
                s.u16(chunk)
                i += span
            }
        }
    }
}
