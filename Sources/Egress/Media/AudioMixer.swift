/// Mixes the audio tracks of a room into one 48 kHz stereo stream, 20 ms at a time.
/// Silence fills every gap; the sum is clipped to [-1, 1].
struct AudioMixer: Sendable {
    static let sampleRate = 48_000
    static let blockFrames = 960  // 20 ms

    private var tracks: [String: AudioTrackBuffer] = [:]
    private var muted: Set<String> = []
    /// Absolute sample index of the next block to mix.
    private(set) var cursor: Int64 = 0

    var trackCount: Int { tracks.count }

    mutating func addTrack(_ id: String) {
        if tracks[id] == nil { tracks[id] = AudioTrackBuffer() }
    }

    mutating func removeTrack(_ id: String) {
        tracks[id] = nil
        muted.remove(id)
    }

    func hasTrack(_ id: String) -> Bool { tracks[id] != nil }

    mutating func setMuted(_ id: String, _ isMuted: Bool) {
        if isMuted { muted.insert(id) } else { muted.remove(id) }
    }

    /// Queues decoded interleaved stereo PCM of track `id` starting at `timestamp` (seconds on the recording clock).
    mutating func push(_ id: String, pcm: UnsafeBufferPointer<Float>, timestamp: Double) {
        guard tracks[id] != nil, timestamp.isFinite else { return }
        let position = Int64((max(0, timestamp) * Double(Self.sampleRate)).rounded())
        tracks[id]!.append(pcm, at: position)
    }

    /// Mixes the next 20 ms block into `block` (interleaved stereo, `blockFrames × 2` values, overwritten).
    mutating func mixNextBlock(into block: UnsafeMutableBufferPointer<Float>) {
        precondition(block.count >= Self.blockFrames * 2)
        for i in 0..<(Self.blockFrames * 2) { block[i] = 0 }
        var index = tracks.startIndex
        while index != tracks.endIndex {
            let isMuted = muted.contains(tracks.keys[index])
            tracks.values[index].mix(into: block, blockStart: cursor, frames: Self.blockFrames, muted: isMuted)
            index = tracks.index(after: index)
        }
        for i in 0..<(Self.blockFrames * 2) { block[i] = min(1, max(-1, block[i])) }
        cursor += Int64(Self.blockFrames)
    }
}
