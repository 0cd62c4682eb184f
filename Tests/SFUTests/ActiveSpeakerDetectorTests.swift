import XCTest
@testable import SFU

final class ActiveSpeakerDetectorTests: XCTestCase {
    /// Feeds 50 packets per second (20 ms audio frames) for `duration` seconds from `start`.
    private func feed(_ d: inout ActiveSpeakerDetector, _ who: String, level: UInt8, from start: Double,
                      duration: Double, voiceActivity: Bool? = nil) {
        var t = start
        while t < start + duration - 1e-9 {
            d.observe(participant: who, level: level, voiceActivity: voiceActivity, now: t)
            t += 0.02
        }
    }

    func testToneBecomesActiveAndSilenceDropsOutAfterWindow() {
        var d = ActiveSpeakerDetector()
        feed(&d, "alice", level: 20, from: 0, duration: 1)
        let first = d.update(now: 1)
        XCTAssertEqual(first.speakers.map(\.participant), ["alice"])
        XCTAssertEqual(first.speakers.first?.level ?? 0, 0.1, accuracy: 0.001)  // 10^(-20/20)
        XCTAssertTrue(first.changed)
        // Same set again: not changed.
        feed(&d, "alice", level: 20, from: 1, duration: 0.2)
        XCTAssertFalse(d.update(now: 1.2).changed)

        // Silence: still speaking shortly after, gone once the window has slid past the tone.
        feed(&d, "alice", level: 127, from: 1.2, duration: 0.1)
        XCTAssertEqual(d.update(now: 1.3).speakers.map(\.participant), ["alice"])
        feed(&d, "alice", level: 127, from: 1.3, duration: 0.5)
        let after = d.update(now: 1.8)
        XCTAssertTrue(after.speakers.isEmpty)
        XCTAssertTrue(after.changed)
        XCTAssertFalse(d.update(now: 1.9).changed)
    }

    func testStoppedSenderExpiresAfterWindow() {
        var d = ActiveSpeakerDetector(window: 0.5)
        feed(&d, "bob", level: 10, from: 0, duration: 0.5)
        XCTAssertEqual(d.update(now: 0.5).speakers.count, 1)
        XCTAssertEqual(d.update(now: 1.2).speakers.count, 0)  // no packets at all in the window
    }

    func testLoudestFirst() {
        var d = ActiveSpeakerDetector()
        feed(&d, "quiet", level: 30, from: 0, duration: 0.5)
        feed(&d, "loud", level: 5, from: 0, duration: 0.5)
        feed(&d, "medium", level: 18, from: 0, duration: 0.5)
        feed(&d, "silent", level: 127, from: 0, duration: 0.5)
        let r = d.update(now: 0.5)
        XCTAssertEqual(r.speakers.map(\.participant), ["loud", "medium", "quiet"])
        XCTAssertEqual(r.speakers[0].level, Float(0.5623), accuracy: 0.001)  // 10^(-5/20)
        XCTAssertTrue(r.speakers.allSatisfy { (0...1).contains($0.level) })
    }

    func testMinActiveFractionAndThreshold() {
        var d = ActiveSpeakerDetector(threshold: 35, window: 0.5, minActiveFraction: 0.3)
        // 1 loud packet in 5: 20% < 30%.
        var t = 0.0
        for i in 0..<25 {
            d.observe(participant: "c", level: i % 5 == 0 ? 20 : 127, voiceActivity: nil, now: t)
            t += 0.02
        }
        XCTAssertTrue(d.update(now: t).speakers.isEmpty)
        // Level just above the threshold never counts.
        feed(&d, "e", level: 36, from: t, duration: 0.5)
        XCTAssertTrue(d.update(now: t + 0.5).speakers.isEmpty)
    }

    func testVoiceActivityFlagFalseIsNotSpeech() {
        var d = ActiveSpeakerDetector()
        feed(&d, "a", level: 10, from: 0, duration: 0.5, voiceActivity: false)
        feed(&d, "b", level: 10, from: 0, duration: 0.5, voiceActivity: true)
        XCTAssertEqual(d.update(now: 0.5).speakers.map(\.participant), ["b"])
    }

    func testRemoveChangesSet() {
        var d = ActiveSpeakerDetector()
        feed(&d, "a", level: 10, from: 0, duration: 0.5)
        feed(&d, "b", level: 15, from: 0, duration: 0.5)
        XCTAssertEqual(d.update(now: 0.5).speakers.count, 2)
        d.remove(participant: "a")
        let r = d.update(now: 0.5)
        XCTAssertEqual(r.speakers.map(\.participant), ["b"])
        XCTAssertTrue(r.changed)
    }

    func testOddInputsDoNotCrash() {
        var d = ActiveSpeakerDetector(threshold: 255, window: -1, minActiveFraction: .nan)
        var rng = SeededGenerator(state: 0x5BEA)
        for _ in 0..<2000 {
            let now: Double = [Double.nan, .infinity, -5, 1e300, Double.random(in: -10...10, using: &rng)].randomElement(using: &rng)!
            d.observe(participant: "p\(Int.random(in: 0..<4, using: &rng))", level: .random(in: 0...255, using: &rng),
                      voiceActivity: [nil, true, false].randomElement(using: &rng)!, now: now)
            if Bool.random(using: &rng) { _ = d.update(now: now) }
        }
        XCTAssertTrue(d.update(now: 0).speakers.allSatisfy { (0...1).contains($0.level) })
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
