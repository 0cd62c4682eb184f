import XCTest
@testable import SFU

final class SimulcastLayerSelectorTests: XCTestCase {
    private let widths = [320, 640, 1280]
    private let heights = [180, 360, 720]

    func testDefaultIsTopLayer() {
        var s = SimulcastLayerSelector()
        XCTAssertEqual(s.targetLayer(now: 0), 2)
    }

    func testPreferenceByQuality() {
        var s = SimulcastLayerSelector()
        for (quality, layer) in [(0, 0), (1, 1), (2, 2), (7, 2), (-1, 0)] {
            s.setPreference(disabled: false, quality: quality, width: nil, height: nil, layerWidths: [], layerHeights: [])
            XCTAssertEqual(s.targetLayer(now: 0), layer, "quality \(quality)")
        }
    }

    func testPreferenceBySize() {
        var s = SimulcastLayerSelector()
        let cases: [(Int, Int, Int)] = [(100, 100, 0), (320, 180, 0), (321, 180, 1), (640, 360, 1),
                                        (641, 200, 2), (1920, 1080, 2), (0, 700, 2)]
        for (w, h, layer) in cases {
            s.setPreference(disabled: false, quality: 0, width: w, height: h, layerWidths: widths, layerHeights: heights)
            XCTAssertEqual(s.targetLayer(now: 0), layer, "\(w)x\(h)")
        }
        // Size unknown for the publisher: fall back to quality.
        s.setPreference(disabled: false, quality: 1, width: 1920, height: 1080, layerWidths: [], layerHeights: [])
        XCTAssertEqual(s.targetLayer(now: 0), 1)
    }

    func testDisabledIsNil() {
        var s = SimulcastLayerSelector()
        s.setPreference(disabled: true, quality: 2, width: nil, height: nil, layerWidths: [], layerHeights: [])
        XCTAssertNil(s.targetLayer(now: 0))
        s.setPreference(disabled: false, quality: 2, width: nil, height: nil, layerWidths: [], layerHeights: [])
        XCTAssertEqual(s.targetLayer(now: 0), 2)
    }

    func testBandwidthCapWithHysteresis() {
        var s = SimulcastLayerSelector()
        let rates = [150_000.0, 500_000, 1_500_000]
        s.setBandwidth(estimate: 3_000_000, layerBitrates: rates)
        XCTAssertEqual(s.targetLayer(now: 0), 2)
        // 1.6 Mb/s < 1.5 Mb/s * 1.1: the high layer no longer fits, but a dip under 1 s is ridden out.
        s.setBandwidth(estimate: 1_600_000, layerBitrates: rates)
        XCTAssertEqual(s.targetLayer(now: 1), 2)
        XCTAssertEqual(s.targetLayer(now: 1.9), 2)
        // Still short after 1 s: down to the mid layer.
        XCTAssertEqual(s.targetLayer(now: 2.0), 1)
        // 500 kb/s: the mid layer (needs 550k) is 10% short, held for 1 s, then the lowest.
        s.setBandwidth(estimate: 500_000, layerBitrates: rates)
        XCTAssertEqual(s.targetLayer(now: 2.1), 1)
        XCTAssertEqual(s.targetLayer(now: 3.1), 0)
        // Recovers: must hold for 2 s before going up.
        s.setBandwidth(estimate: 2_000_000, layerBitrates: rates)
        XCTAssertEqual(s.targetLayer(now: 4), 0)
        XCTAssertEqual(s.targetLayer(now: 5), 0)
        // A dip restarts the clock.
        s.setBandwidth(estimate: 1_000_000, layerBitrates: rates)
        XCTAssertEqual(s.targetLayer(now: 5.5), 0)
        s.setBandwidth(estimate: 2_000_000, layerBitrates: rates)
        XCTAssertEqual(s.targetLayer(now: 5.9), 0)  // mid covered since 4 s (1M still covers it), high since 5.9 s
        XCTAssertEqual(s.targetLayer(now: 6.0), 1)
        XCTAssertEqual(s.targetLayer(now: 7.8), 1)
        XCTAssertEqual(s.targetLayer(now: 7.9), 2)
        // Far past the estimate (congestion): down at once.
        s.setBandwidth(estimate: 100, layerBitrates: rates)
        XCTAssertEqual(s.targetLayer(now: 9), 0)
        // Unknown estimate: no cap.
        s.setBandwidth(estimate: nil, layerBitrates: rates)
        XCTAssertEqual(s.targetLayer(now: 9.1), 2)
    }

    /// What a Chromium camera looked like to a libwebrtc subscriber: the top layer's one-second
    /// rate swinging from 750k to 1.15M around a REMB share of about 1M. Moving down at once
    /// switched layers (one keyframe each) every 1 to 4 s; now short dips are ridden out.
    func testATopLayerSwingingAroundTheEstimateDoesNotFlap() {
        var s = SimulcastLayerSelector()
        s.setBandwidth(estimate: 1_000_000, layerBitrates: [150_000, 370_000, 780_000])
        XCTAssertEqual(s.targetLayer(now: 0), 2)
        var choices: [Int?] = []
        for second in 1...20 {
            let top = second.isMultiple(of: 3) ? 1_150_000.0 : 780_000.0  // a keyframe second now and then
            s.setBandwidth(estimate: 1_000_000, layerBitrates: [150_000, 370_000, top])
            choices.append(s.targetLayer(now: Double(second)))
        }
        XCTAssertEqual(Set(choices), [2], "\(choices)")
        // A lasting shortfall still moves down, 1 s after it started.
        s.setBandwidth(estimate: 1_000_000, layerBitrates: [150_000, 370_000, 1_200_000])
        XCTAssertEqual(s.targetLayer(now: 21), 2)
        XCTAssertEqual(s.targetLayer(now: 21.5), 2)
        XCTAssertEqual(s.targetLayer(now: 22), 1)
    }

    func testLayerWithUnknownBitrateIsNotCapped() {
        var s = SimulcastLayerSelector()
        s.setBandwidth(estimate: 100_000, layerBitrates: [150_000, 0, 0])
        XCTAssertEqual(s.targetLayer(now: 0), 2)
    }

    func testInactiveLayerFallback() {
        var s = SimulcastLayerSelector()
        s.setActiveLayers([true, false, false])
        XCTAssertEqual(s.targetLayer(now: 0), 0)  // nearest lower
        s.setActiveLayers([true, true, false])
        XCTAssertEqual(s.targetLayer(now: 0), 1)
        s.setPreference(disabled: false, quality: 0, width: nil, height: nil, layerWidths: [], layerHeights: [])
        s.setActiveLayers([false, false, true])
        XCTAssertEqual(s.targetLayer(now: 0), 2)  // nothing lower: nearest higher
        s.setActiveLayers([false, true, true])
        XCTAssertEqual(s.targetLayer(now: 0), 1)
        s.setActiveLayers([false, false, false])
        XCTAssertNil(s.targetLayer(now: 0))
        s.setActiveLayers([])
        XCTAssertNil(s.targetLayer(now: 0))
    }

    func testOddInputsDoNotCrash() {
        var rng = SeededGenerator(state: 0x51CA)
        for layers in [0, 1, 2, 3, 100] {
            var s = SimulcastLayerSelector(availableLayers: layers)
            for i in 0..<300 {
                s.setPreference(disabled: Int.random(in: 0..<8, using: &rng) == 0,
                                quality: [nil, -3, 0, 1, 2, 9, Int.max].randomElement(using: &rng)!,
                                width: [nil, 0, -1, 640, Int.max].randomElement(using: &rng)!,
                                height: [nil, 0, 360, Int.max].randomElement(using: &rng)!,
                                layerWidths: [[], [Int.max, Int.max], [320, 640, 1280, 4000]].randomElement(using: &rng)!,
                                layerHeights: [[], [Int.max], [180, 360]].randomElement(using: &rng)!)
                s.setBandwidth(estimate: [nil, .nan, -1, 1e6, .infinity].randomElement(using: &rng)!,
                               layerBitrates: [[], [.nan, -1, .infinity], [1e5, 5e5, 1.5e6, 3e6]].randomElement(using: &rng)!)
                s.setActiveLayers((0..<Int.random(in: 0..<5, using: &rng)).map { _ in Bool.random(using: &rng) })
                if let l = s.targetLayer(now: Double(i) * 0.1) {
                    XCTAssertTrue((0..<s.availableLayers).contains(l))
                }
            }
        }
    }
}

/// Deterministic PRNG (SplitMix64) so the fuzz-style test is reproducible.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
