/// What a replay list says about a packet index (RFC 3711 §3.3.2).
enum SRTPReplayVerdict: Equatable {
    /// Not received yet (ahead of the window, or inside it and unmarked).
    case fresh
    /// Inside the window and already received.
    case replayed
    /// Behind the window: can no longer be told apart from a replay.
    case tooOld
}

/// RFC 3711 §3.3.1 packet-index estimation and §3.3.2 replay list for the SRTP packets of
/// one SSRC: the highest 48-bit index received (ROC || s_l) and a bitmap of the
/// `SRTPSession.replayWindowSize` indices ending at it.
///
/// The bitmap is a ring: index i is bit (i mod bitCount). Moving the window forward by d only
/// clears the d − 1 bits of the indices skipped over (they left the window) and sets the new
/// one, so an in-order packet touches one bit instead of shifting the whole bitmap.
///
/// The estimate is RFC 3711 Appendix A's, with one rule libsrtp also keeps so both sides agree:
/// while the highest index is at most 2^15 (ROC 0, first half of the sequence space) ROC is
/// taken to be 0, never −1.
///
/// The bitmap lives in memory the owner allocates once (`wordCount` words) and frees.
struct SRTPReplayList {
    static let bitCount = SRTPSession.replayWindowSize
    static let wordCount = bitCount / 64

    /// ROC << 16 | s_l of the highest packet received (for a sender: protected).
    private(set) var highestIndex: UInt64 = 0
    private let words: UnsafeMutablePointer<UInt64>

    /// `words` must hold `wordCount` words; they are zeroed here.
    init(words: UnsafeMutablePointer<UInt64>) {
        precondition(Self.bitCount.nonzeroBitCount == 1 && Self.bitCount >= 64, "a power of two, whole words")
        self.words = words
        words.initialize(repeating: 0, count: Self.wordCount)
    }

    /// RFC 3711 §3.3.1: the packet index for sequence number `sequence`, and its distance from
    /// the highest index (positive: ahead of it). Appendix A: ROC − 1, ROC or ROC + 1,
    /// whichever puts the index closest to s_l.
    @inline(__always)
    func estimate(sequence: UInt16) -> (index: UInt64, delta: Int) {
        let half = 0x8000
        if highestIndex <= UInt64(half) {
            return (UInt64(sequence), Int(sequence) - Int(highestIndex))
        }
        let rolloverCounter = UInt32(truncatingIfNeeded: highestIndex >> 16)
        let highestSequence = Int(UInt16(truncatingIfNeeded: highestIndex))
        let received = Int(sequence)
        var guess = rolloverCounter
        var delta = received - highestSequence
        if highestSequence < half {
            if received - highestSequence > half {
                guess = rolloverCounter &- 1
                delta = received - highestSequence - 0x1_0000
            }
        } else if highestSequence - half > received {
            guess = rolloverCounter &+ 1
            delta = received - highestSequence + 0x1_0000
        }
        return (UInt64(guess) << 16 | UInt64(sequence), delta)
    }

    /// RFC 3711 §3.3.2: is the index `delta` away from the highest one new?
    @inline(__always)
    func check(delta: Int) -> SRTPReplayVerdict {
        if delta > 0 { return .fresh }
        if -delta >= Self.bitCount { return .tooOld }
        return isMarked(highestIndex &- UInt64(-delta)) ? .replayed : .fresh
    }

    /// Marks the index `delta` away from the highest one as received (after it authenticated);
    /// a positive `delta` moves the window forward.
    @inline(__always)
    mutating func add(delta: Int) {
        if delta > 0 {
            // The indices skipped over were not received: their bits (left by indices that
            // have now fallen out of the window) are cleared.
            if delta > Self.bitCount {
                words.update(repeating: 0, count: Self.wordCount)
            } else if delta > 1 {
                clear(from: highestIndex &+ 1, count: delta - 1)
            }
            highestIndex &+= UInt64(delta)
            mark(highestIndex)
        } else if -delta < Self.bitCount {
            mark(highestIndex &- UInt64(-delta))
        }
    }

    @inline(__always)
    private func isMarked(_ index: UInt64) -> Bool {
        let bit = Int(truncatingIfNeeded: index) & (Self.bitCount - 1)
        return words[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    @inline(__always)
    private func mark(_ index: UInt64) {
        let bit = Int(truncatingIfNeeded: index) & (Self.bitCount - 1)
        words[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    /// Clears the bits of `count` consecutive indices from `index` (count < bitCount).
    @inline(__always)
    private func clear(from index: UInt64, count: Int) {
        var bit = Int(truncatingIfNeeded: index) & (Self.bitCount - 1)
        var remaining = count
        while remaining > 0 {
            let offset = bit & 63
            let span = min(64 - offset, remaining)
            let mask: UInt64 = span == 64 ? ~0 : ((1 << UInt64(span)) - 1) << UInt64(offset)
            words[bit >> 6] &= ~mask
            remaining -= span
            bit = (bit + span) & (Self.bitCount - 1)
        }
    }
}

/// RFC 3711 §3.3.2 replay list for the SRTCP packets of one SSRC, over 31-bit SRTCP indices
/// (§3.4): a 128-index window starting at `windowStart`, as libsrtp keeps for SRTCP
/// (its `replayWindowSize` applies to SRTP only). Bit i: index windowStart + i received.
struct SRTCPReplayList {
    static let bitCount: UInt32 = 128

    private(set) var windowStart: UInt32 = 0
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    @inline(__always)
    func check(index: UInt32) -> SRTPReplayVerdict {
        if UInt64(index) >= UInt64(windowStart) + UInt64(Self.bitCount) { return .fresh }
        if index < windowStart { return .tooOld }
        let offset = index - windowStart
        let set = offset < 64 ? low & (1 << UInt64(offset)) : high & (1 << UInt64(offset - 64))
        return set != 0 ? .replayed : .fresh
    }

    /// Marks `index` received; an index past the window slides it so that `index` is its last.
    @inline(__always)
    mutating func add(index: UInt32) {
        guard index >= windowStart else { return }
        var offset = index - windowStart
        if offset >= Self.bitCount {
            let distance = offset - (Self.bitCount - 1)
            if distance >= 128 {
                low = 0; high = 0
            } else if distance >= 64 {
                low = high >> UInt64(distance - 64); high = 0
            } else {
                low = low >> UInt64(distance) | (distance == 0 ? 0 : high << UInt64(64 - distance))
                high >>= UInt64(distance)
            }
            windowStart += distance
            offset = Self.bitCount - 1
        }
        if offset < 64 { low |= 1 << UInt64(offset) } else { high |= 1 << UInt64(offset - 64) }
    }
}
