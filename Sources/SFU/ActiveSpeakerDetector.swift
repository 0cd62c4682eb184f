/// Active speaker detection from RFC 6464 client-to-mixer audio levels, the way LiveKit reports
/// speakers: a participant speaks when, over a sliding window, enough of its audio packets were
/// louder than a threshold; its level is the mean linear loudness of those packets.
///
/// A pure state machine: the shell feeds one observation per audio packet carrying the
/// `ssrc-audio-level` header extension and calls `update(now:)` on its own timer.
public struct ActiveSpeakerDetector: Sendable {
    /// RFC 6464 §3: levels are -dBov, 0 (loudest) ... 127 (silence); at or below this counts as speech.
    public let threshold: UInt8
    /// Sliding window length in seconds.
    public let window: Double
    /// Fraction (0...1) of a window's packets that must be loud for the participant to speak.
    public let minActiveFraction: Double

    /// The window is kept as a ring of fixed time buckets so observing never allocates.
    static let bucketCount = 10
    private let bucketDuration: Double
    private var participants: [String: LevelHistory] = [:]
    private var lastSpeakers: Set<String> = []

    public init(threshold: UInt8 = 35, window: Double = 0.5, minActiveFraction: Double = 0.3) {
        self.threshold = min(threshold, 127)
        self.window = (window.isFinite && window > 0) ? window : 0.5
        self.minActiveFraction = minActiveFraction.isFinite ? min(max(minActiveFraction, 0), 1) : 0.3
        self.bucketDuration = self.window / Double(Self.bucketCount)
    }

    /// Records one audio packet's level. `voiceActivity` is the RFC 6464 §3 V flag when the
    /// sender negotiated it: a packet flagged as not voice never counts as speech.
    public mutating func observe(participant: String, level: UInt8, voiceActivity: Bool?, now: Double) {
        guard now.isFinite else { return }
        let dBov = min(level, 127)
        let loud = dBov <= threshold && voiceActivity != false
        let epoch = bucketEpoch(now)
        participants[participant, default: LevelHistory()].record(
            epoch: epoch, loud: loud, linearLevel: loud ? Self.linearLevel(dBov: dBov) : 0)
    }

    public mutating func remove(participant: String) {
        participants.removeValue(forKey: participant)
    }

    /// Current speakers sorted loudest first (ties by identity) with a 0...1 level, and whether the
    /// set of speaking participants changed since the previous call.
    public mutating func update(now: Double) -> (speakers: [(participant: String, level: Float)], changed: Bool) {
        let epoch = now.isFinite ? bucketEpoch(now) : Int64.min
        var speakers: [(participant: String, level: Float)] = []
        for (id, history) in participants {
            let totals = history.totals(endingAt: epoch)
            guard totals.packets > 0 else { continue }
            let fraction = Double(totals.loudPackets) / Double(totals.packets)
            guard totals.loudPackets > 0, fraction >= minActiveFraction else { continue }
            let level = totals.loudLinearSum / Double(totals.loudPackets)
            speakers.append((id, Float(min(max(level, 0), 1))))
        }
        speakers.sort { $0.level != $1.level ? $0.level > $1.level : $0.participant < $1.participant }
        let current = Set(speakers.map(\.participant))
        let changed = current != lastSpeakers
        lastSpeakers = current
        return (speakers, changed)
    }

    /// dBov to linear amplitude, 10^(-dBov/20): 0 dBov -> 1.0, 20 dBov -> 0.1.
    static func linearLevel(dBov: UInt8) -> Double {
        linearLevels[Int(min(dBov, 127))]
    }

    /// 10^(-n/20) for n in 0...127, built by repeated multiplication (stdlib only, no libm).
    private static let linearLevels: [Double] = {
        let step = 0.891_250_938_133_745_6  // 10^(-1/20)
        var table = [Double](repeating: 1, count: 128)
        for n in 1..<128 { table[n] = table[n - 1] * step }
        return table
    }()

    private func bucketEpoch(_ now: Double) -> Int64 {
        let e = (now / bucketDuration).rounded(.down)
        return e.isFinite ? Int64(max(min(e, 9e18), -9e18)) : 0
    }
}

/// Per-participant ring of time buckets covering one window.
private struct LevelHistory: Sendable {
    private struct Bucket: Sendable {
        var epoch: Int64 = .min
        var packets = 0
        var loudPackets = 0
        var loudLinearSum = 0.0
    }

    private var buckets = [Bucket](repeating: Bucket(), count: ActiveSpeakerDetector.bucketCount)

    mutating func record(epoch: Int64, loud: Bool, linearLevel: Double) {
        let i = Int(UInt64(bitPattern: epoch) % UInt64(buckets.count))
        if buckets[i].epoch != epoch {
            // A bucket from an older lap of the ring (or an out-of-order newer one): start afresh.
            guard buckets[i].epoch < epoch else { return }
            buckets[i] = Bucket(epoch: epoch)
        }
        buckets[i].packets += 1
        if loud {
            buckets[i].loudPackets += 1
            buckets[i].loudLinearSum += linearLevel
        }
    }

    /// Sums the buckets inside the window that ends with bucket `epoch`.
    func totals(endingAt epoch: Int64) -> (packets: Int, loudPackets: Int, loudLinearSum: Double) {
        var result = (packets: 0, loudPackets: 0, loudLinearSum: 0.0)
        let oldest = epoch &- Int64(buckets.count - 1)
        for b in buckets where b.epoch != .min && b.epoch >= oldest && b.epoch <= epoch {
            result.packets += b.packets
            result.loudPackets += b.loudPackets
            result.loudLinearSum += b.loudLinearSum
        }
        return result
    }
}
