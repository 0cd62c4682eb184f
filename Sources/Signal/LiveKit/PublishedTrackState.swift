import SFU

/// A track a participant announced (`AddTrackRequest`) and, once its m-line arrives in a
/// publisher offer, the SFU track carrying it.
final class PublishedTrackState {
    var info: Livekit_TrackInfo
    let cid: String
    var media: PublishedTrack?
    /// Matched to an m-line during the offer being answered.
    var claimed = false

    init(info: Livekit_TrackInfo, cid: String) {
        self.info = info
        self.cid = cid
    }

    var sid: String { info.sid }
    var isVideo: Bool { info.type == .video }

    /// The simulcast layer index (0 low … 2 high) for a subscriber's wish.
    func layer(quality: Livekit_VideoQuality?, width: UInt32, height: UInt32) -> Int {
        let layers = info.layers.sorted { $0.quality.rawValue < $1.quality.rawValue }
        if width > 0 || height > 0, !layers.isEmpty {
            // The smallest layer at least as large as asked for, else the largest.
            if let index = layers.firstIndex(where: { $0.width >= width && $0.height >= height }) { return index }
            return layers.count - 1
        }
        switch quality {
        case .low?: return 0
        case .medium?: return 1
        default: return 2
        }
    }
}
