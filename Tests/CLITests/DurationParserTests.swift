import XCTest
@testable import CLI

final class DurationParserTests: XCTestCase {
    func testUnits() throws {
        XCTAssertEqual(try DurationParser.seconds("1h"), 3600)
        XCTAssertEqual(try DurationParser.seconds("30m"), 1800)
        XCTAssertEqual(try DurationParser.seconds("3600s"), 3600)
        XCTAssertEqual(try DurationParser.seconds("1h30m"), 5400)
        XCTAssertEqual(try DurationParser.seconds("2d"), 172_800)
        XCTAssertEqual(try DurationParser.seconds("1h0m5s"), 3605)
        XCTAssertEqual(try DurationParser.seconds(" 90 "), 90)
        XCTAssertEqual(try DurationParser.seconds("90"), 90)
    }

    func testRejectsBadInput() {
        let cases: [(String, DurationParseError)] = [
            ("", .empty),
            ("   ", .empty),
            ("h", .invalid("h")),
            ("1x", .invalid("1x")),
            ("1h30", .invalid("1h30")),
            ("-5m", .invalid("-5m")),
            ("1.5h", .invalid("1.5h")),
            ("0", .notPositive("0")),
            ("0s", .notPositive("0s")),
            ("99999999999999999999999s", .tooLarge("99999999999999999999999s")),
            ("9999999999h", .tooLarge("9999999999h")),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try DurationParser.seconds(text), text) { error in
                XCTAssertEqual(error as? DurationParseError, expected, text)
            }
        }
    }

    /// Random strings over the duration alphabet: every one either parses to a positive
    /// number of seconds or throws; none traps.
    func testRandomInputsNeverTrap() {
        var generator = SplitMix64(seed: 0xD0_5EED)
        let alphabet = Array("0123456789hmsdx .-")
        for _ in 0..<5_000 {
            let length = Int(generator.next() % 12)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            if let value = try? DurationParser.seconds(text) {
                XCTAssertGreaterThan(value, 0, text)
                XCTAssertLessThanOrEqual(value, DurationParser.maximumSeconds, text)
            }
        }
    }
}

/// Deterministic PRNG for the fuzz-style tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
