/// One video track of a composite: its decoder and the pictures waiting for their output frame.
final class CompositeVideoTrack {
    private enum Decoder {
        case vp8(VP8VideoDecoder)
        case h264(H264VideoDecoder)
    }

    /// At most this many decoded pictures wait for their output frame; older ones are dropped.
    static let maxPending = 8

    let id: String
    let codec: MediaCodec
    /// Output frame rate: two pictures due at the same output frame keep only the newer.
    let fps: Double
    var muted = false
    private let decoder: Decoder
    private var pending: [VideoPicture] = []
    private(set) var current: VideoPicture?
    /// No picture is shown until a keyframe was decoded (a delta frame without its reference is garbage).
    private var sawKeyframe = false

    init(id: String, codec: MediaCodec, fps: Int) throws(MediaError) {
        self.id = id
        self.codec = codec
        self.fps = Double(max(1, fps))
        switch codec {
        case .vp8: decoder = .vp8(try VP8VideoDecoder())
        case .h264: decoder = .h264(try H264VideoDecoder())
        default: throw MediaError.unsupported("video codec \(codec.rawValue)")
        }
    }

    /// Decodes `frame` and queues its picture for the output frame at or after its timestamp.
    /// After a decode error nothing more is shown until the next keyframe (the last good picture stays up).
    func push(_ frame: EncodedFrame) throws(MediaError) {
        if frame.isKeyframe { sawKeyframe = true }
        guard sawKeyframe else { return }
        let picture: VideoPicture?
        do {
            switch decoder {
            case .vp8(let vp8): picture = try vp8.decode(frame.data, timestamp: frame.timestamp)
            case .h264(let h264): picture = try h264.decode(frame.data, timestamp: frame.timestamp)
            }
        } catch {
            sawKeyframe = false
            throw error
        }
        guard let picture else { return }
        if let last = pending.last, outputFrame(of: last) == outputFrame(of: picture) { pending.removeLast() }
        pending.append(picture)
        if pending.count > Self.maxPending { pending.removeFirst(pending.count - Self.maxPending) }
    }

    /// Index of the first output frame that can show `picture`.
    private func outputFrame(of picture: VideoPicture) -> Int {
        Int((picture.timestamp * fps - 1e-6).rounded(.up))
    }

    /// The newest picture at or before `time`, or nil (no picture yet, muted, or older than `staleAfter` seconds).
    func picture(at time: Double, staleAfter: Double) -> VideoPicture? {
        var taken = 0
        while taken < pending.count, pending[taken].timestamp <= time + 1e-6 { taken += 1 }
        if taken > 0 {
            current = pending[taken - 1]
            pending.removeFirst(taken)
        }
        guard !muted, let current, time - current.timestamp <= staleAfter else { return nil }
        return current
    }
}
