/// Decoded PCM of one audio track placed on the recording timeline (48 kHz, interleaved stereo Float32).
///
/// Samples are addressed by absolute sample index (`timestamp × 48000`). Packets that follow each other
/// within `jitterTolerance` are laid end to end (timestamp jitter is absorbed); a larger gap becomes silence;
/// samples that arrive after their time was mixed are dropped.
struct AudioTrackBuffer: Sendable {
    static let channels = 2
    /// Gaps and overlaps up to this many sample frames (30 ms) are treated as continuous audio.
    static let jitterTolerance: Int64 = 1_440
    /// At most this many sample frames (10 s) are held; older ones are dropped.
    static let capacity = 480_000

    /// Absolute sample index of the first buffered sample frame.
    private(set) var startSample: Int64 = 0
    private var samples: [Float] = []
    private var readIndex = 0

    var bufferedFrames: Int { (samples.count - readIndex) / Self.channels }
    var endSample: Int64 { startSample + Int64(bufferedFrames) }
    var isEmpty: Bool { bufferedFrames == 0 }

    /// Places `pcm` (interleaved stereo) at sample index `position`.
    mutating func append(_ pcm: UnsafeBufferPointer<Float>, at position: Int64) {
        let frames = pcm.count / Self.channels
        guard frames > 0 else { return }
        if isEmpty {
            samples.removeAll(keepingCapacity: true)
            readIndex = 0
            startSample = position
        } else {
            let gap = position - endSample
            if gap > Self.jitterTolerance {
                let silence = Int(min(gap, Int64(Self.capacity)))
                samples.append(contentsOf: repeatElement(0, count: silence * Self.channels))
            }
        }
        samples.append(contentsOf: UnsafeBufferPointer(rebasing: pcm[0..<(frames * Self.channels)]))
        let excess = bufferedFrames - Self.capacity
        if excess > 0 { discard(frames: excess) }
        compactIfNeeded()
    }

    /// Adds the buffered samples covering `[blockStart, blockStart + frames)` into `block`
    /// (interleaved stereo, `frames × 2` values) unless `muted`, then drops everything before the block's end.
    mutating func mix(into block: UnsafeMutableBufferPointer<Float>, blockStart: Int64, frames: Int, muted: Bool) {
        if startSample < blockStart { discard(frames: Int(min(blockStart - startSample, Int64(bufferedFrames)))) }
        if isEmpty { startSample = max(startSample, blockStart); return }
        let blockEnd = blockStart + Int64(frames)
        let from = max(blockStart, startSample), to = min(blockEnd, endSample)
        if from < to {
            let count = Int(to - from) * Self.channels
            let sourceOffset = readIndex + Int(from - startSample) * Self.channels
            let destinationOffset = Int(from - blockStart) * Self.channels
            if !muted, block.count >= destinationOffset + count {
                samples.withUnsafeBufferPointer { source in
                    for i in 0..<count { block[destinationOffset + i] += source[sourceOffset + i] }
                }
            }
            discard(frames: Int(to - startSample))
        }
        compactIfNeeded()
    }

    private mutating func discard(frames: Int) {
        let count = max(0, min(frames, bufferedFrames))
        readIndex += count * Self.channels
        startSample += Int64(count)
    }

    private mutating func compactIfNeeded() {
        if readIndex == samples.count {
            samples.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 96_000 && readIndex * 2 > samples.count {
            samples.removeFirst(readIndex)
            readIndex = 0
        }
    }
}
