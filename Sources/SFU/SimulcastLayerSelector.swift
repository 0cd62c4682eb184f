/// Chooses which simulcast layer (0 = q/low, 1 = h/mid, 2 = f/high) one subscriber receives of one
/// published video track: the subscriber's preference (LiveKit UpdateTrackSettings), capped by what
/// its downlink can carry, then moved to a layer the publisher is actually sending.
///
/// A pure state machine; the forwarder switches to the returned layer on its next keyframe.
public struct SimulcastLayerSelector: Sendable {
    public let availableLayers: Int
    /// Bitrate must be at most estimate / headroom to count as carried (10% headroom).
    static let headroom = 1.1
    /// The estimate must have covered a higher layer this long before moving up to it.
    static let upgradeHoldSeconds = 2.0
    /// The forwarded layer must have stopped fitting this long before moving down from it: a
    /// layer's rate is measured over one second, so a keyframe or one low REMB would otherwise
    /// switch (and cost a keyframe) every few seconds.
    static let downgradeHoldSeconds = 1.0
    /// Past this multiple of the estimate the forwarded layer is dropped at once (congestion).
    static let congestionFactor = 1.5

    private var disabled = false
    private var preferredLayer: Int
    private var active: [Bool]
    private var estimate: Double?
    private var layerBitrates: [Double] = []
    /// Per layer: since when the estimate has continuously covered it (nil = not covered now).
    private var coveredSince: [Double?]
    /// Per layer: since when the estimate has continuously not covered it (nil = covered now).
    private var uncoveredSince: [Double?]
    /// The bandwidth-capped layer chosen last time, for hysteresis (nil = no choice yet).
    private var lastCappedLayer: Int?

    public init(availableLayers: Int = 3) {
        let n = max(1, min(availableLayers, 16))
        self.availableLayers = n
        self.preferredLayer = n - 1
        self.active = [Bool](repeating: true, count: n)
        self.coveredSince = [Double?](repeating: nil, count: n)
        self.uncoveredSince = [Double?](repeating: nil, count: n)
    }

    /// Subscriber's wishes from LiveKit UpdateTrackSettings: `disabled`, `quality` (LOW = 0,
    /// MEDIUM = 1, HIGH = 2), or a desired `width`/`height` matched against the publisher's layer
    /// sizes (indexed by layer): the smallest layer at least as large as requested, else the
    /// largest. A requested size wins over `quality`, as in LiveKit; with neither, the top layer.
    public mutating func setPreference(disabled: Bool, quality: Int?, width: Int?, height: Int?,
                                       layerWidths: [Int], layerHeights: [Int]) {
        self.disabled = disabled
        let wantW = max(width ?? 0, 0)
        let wantH = max(height ?? 0, 0)
        if wantW > 0 || wantH > 0, let bySize = Self.layer(forWidth: wantW, height: wantH,
                                                          layerWidths: layerWidths, layerHeights: layerHeights,
                                                          count: availableLayers) {
            preferredLayer = bySize
        } else if let quality {
            preferredLayer = min(max(quality, 0), availableLayers - 1)
        } else {
            preferredLayer = availableLayers - 1
        }
    }

    /// What the subscriber's path can carry (bits/s, nil = unknown) and each layer's current
    /// bitrate (0 = unknown or not receiving; such a layer is not limited by bandwidth).
    public mutating func setBandwidth(estimate: Double?, layerBitrates: [Double]) {
        if let estimate, estimate.isFinite, estimate >= 0 {
            self.estimate = estimate
        } else {
            self.estimate = nil
        }
        self.layerBitrates = layerBitrates
    }

    /// Layers currently arriving from the publisher (indexed by layer; missing entries are inactive).
    public mutating func setActiveLayers(_ active: [Bool]) {
        for i in 0..<availableLayers {
            self.active[i] = i < active.count ? active[i] : false
        }
    }

    /// The layer to forward now: the preferred one capped by bandwidth (10% headroom; moving up
    /// only once the estimate has covered the higher layer for 2 s, moving down once the
    /// forwarded layer has not fitted for 1 s, or at once past 1.5x the estimate), then the
    /// nearest lower active layer, or the nearest higher one if no lower is active. nil if disabled
    /// or no layer is active.
    public mutating func targetLayer(now: Double) -> Int? {
        updateCoverage(now: now)
        guard !disabled else { return nil }
        let capped = cappedLayer(now: now)
        lastCappedLayer = capped
        if active[capped] { return capped }
        for layer in stride(from: capped - 1, through: 0, by: -1) where active[layer] { return layer }
        for layer in (capped + 1)..<availableLayers where active[layer] { return layer }
        return nil
    }

    // MARK: - Internals

    private func bitrate(_ layer: Int) -> Double {
        guard layer < layerBitrates.count else { return 0 }
        let b = layerBitrates[layer]
        return b.isFinite && b > 0 ? b : 0
    }

    private func covers(_ layer: Int) -> Bool {
        guard let estimate else { return true }
        return bitrate(layer) * Self.headroom <= estimate
    }

    private mutating func updateCoverage(now: Double) {
        for layer in 0..<availableLayers {
            if covers(layer) {
                if coveredSince[layer] == nil { coveredSince[layer] = now }
                uncoveredSince[layer] = nil
            } else {
                coveredSince[layer] = nil
                if uncoveredSince[layer] == nil { uncoveredSince[layer] = now }
            }
        }
    }

    /// Highest layer up to the preference that bandwidth allows; the lowest layer if none fits.
    private func cappedLayer(now: Double) -> Int {
        guard estimate != nil else { return preferredLayer }
        for layer in stride(from: preferredLayer, through: 0, by: -1) {
            if layer == lastCappedLayer, let estimate, let short = uncoveredSince[layer],
               now - short < Self.downgradeHoldSeconds, bitrate(layer) <= estimate * Self.congestionFactor {
                return layer  // stays through a short dip
            }
            guard let since = coveredSince[layer] else { continue }
            // Hysteresis: staying at or below the current layer is immediate; going up waits.
            if let current = lastCappedLayer, layer > current, now - since < Self.upgradeHoldSeconds {
                continue
            }
            return layer
        }
        return 0
    }

    static func layer(forWidth width: Int, height: Int, layerWidths: [Int], layerHeights: [Int],
                      count: Int) -> Int? {
        let n = min(count, max(layerWidths.count, layerHeights.count))
        guard n > 0 else { return nil }
        func size(_ i: Int) -> (w: Int, h: Int) {
            (i < layerWidths.count ? layerWidths[i] : 0, i < layerHeights.count ? layerHeights[i] : 0)
        }
        var smallestFitting: (layer: Int, area: Int)?
        var largest: (layer: Int, area: Int)?
        for i in 0..<n {
            let s = size(i)
            let area = s.w.multipliedReportingOverflow(by: s.h).overflow ? Int.max : s.w * s.h
            let key = max(area, max(s.w, s.h))  // one dimension may be unknown (0)
            if largest == nil || key >= largest!.area { largest = (i, key) }
            if s.w >= width, s.h >= height, smallestFitting == nil || key < smallestFitting!.area {
                smallestFitting = (i, key)
            }
        }
        return smallestFitting?.layer ?? largest?.layer
    }
}
