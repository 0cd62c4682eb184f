/// Frames encoded once at start-up and replayed in a loop by every sender: one contiguous
/// byte store plus per-frame offsets, so the send loop reads them without allocating.
public struct EncodedClip: Sendable {
    public let bytes: [UInt8]
    public let offsets: [Int]
    public let lengths: [Int]
    public let keyframes: [Bool]
    /// Frames per second the clip was encoded at.
    public let frameRate: Double

    public init(frames: [(data: [UInt8], isKeyframe: Bool)], frameRate: Double) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(frames.reduce(0) { $0 + $1.data.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        for frame in frames {
            offsets.append(bytes.count)
            lengths.append(frame.data.count)
            bytes.append(contentsOf: frame.data)
        }
        self.bytes = bytes
        self.offsets = offsets
        self.lengths = lengths
        self.keyframes = frames.map(\.isKeyframe)
        self.frameRate = frameRate
    }

    public var frameCount: Int { offsets.count }
    public var largestFrame: Int { lengths.max() ?? 0 }

    /// Average bits per second when played at `frameRate`.
    public var bitrate: Double {
        guard frameCount > 0 else { return 0 }
        return Double(bytes.count * 8) * frameRate / Double(frameCount)
    }

    /// The frame to play after `index` (wrapping around).
    public func frame(after index: Int) -> Int { index + 1 < frameCount ? index + 1 : 0 }

    /// The first keyframe at or after `index`, wrapping around; `index` itself if none.
    public func keyframe(atOrAfter index: Int) -> Int {
        guard frameCount > 0 else { return 0 }
        for step in 0..<frameCount {
            let candidate = (index + step) % frameCount
            if keyframes[candidate] { return candidate }
        }
        return index
    }
}
