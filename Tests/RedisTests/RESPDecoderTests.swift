import XCTest
@testable import Redis

final class RESPDecoderTests: XCTestCase {
    /// Decodes everything in `text`, expecting no bytes left over.
    private func decodeAll(_ bytes: [UInt8], limits: RESPDecoder.Limits = .init()) throws -> [RESPValue] {
        var decoder = RESPDecoder(limits: limits)
        decoder.feed(bytes)
        var values: [RESPValue] = []
        while let value = try decoder.next() { values.append(value) }
        XCTAssertEqual(decoder.bufferedByteCount, 0, "bytes left over")
        return values
    }

    private func decodeAll(_ text: String) throws -> [RESPValue] { try decodeAll(Array(text.utf8)) }

    private func decodeOne(_ text: String) throws -> RESPValue {
        let values = try decodeAll(text)
        XCTAssertEqual(values.count, 1)
        return try XCTUnwrap(values.first)
    }

    func testRESP2Types() throws {
        XCTAssertEqual(try decodeOne("+OK\r\n"), .simpleString("OK"))
        XCTAssertEqual(try decodeOne("+\r\n"), .simpleString(""))
        XCTAssertEqual(try decodeOne("-ERR unknown command 'FOO'\r\n"), .error("ERR unknown command 'FOO'"))
        XCTAssertEqual(try decodeOne(":0\r\n"), .integer(0))
        XCTAssertEqual(try decodeOne(":-42\r\n"), .integer(-42))
        XCTAssertEqual(try decodeOne(":+7\r\n"), .integer(7))
        XCTAssertEqual(try decodeOne(":9223372036854775807\r\n"), .integer(.max))
        XCTAssertEqual(try decodeOne(":-9223372036854775808\r\n"), .integer(.min))
        XCTAssertEqual(try decodeOne("$5\r\nhello\r\n"), .bulk("hello"))
        XCTAssertEqual(try decodeOne("$0\r\n\r\n"), .bulkString([]))
        XCTAssertEqual(try decodeOne("$-1\r\n"), .bulkString(nil))
        XCTAssertEqual(try decodeOne("*0\r\n"), .array([]))
        XCTAssertEqual(try decodeOne("*-1\r\n"), .array(nil))
        XCTAssertEqual(
            try decodeOne("*3\r\n:1\r\n$3\r\nfoo\r\n*2\r\n+a\r\n$-1\r\n"),
            .array([.integer(1), .bulk("foo"), .array([.simpleString("a"), .bulkString(nil)])]))
    }

    func testBulkStringIsBinarySafe() throws {
        let payload: [UInt8] = [0, 13, 10, 255, 36, 13, 10]
        var bytes = Array("$7\r\n".utf8)
        bytes += payload + [13, 10]
        XCTAssertEqual(try decodeAll(bytes), [.bulkString(payload)])
    }

    func testRESP3Types() throws {
        XCTAssertEqual(try decodeOne("_\r\n"), .null)
        XCTAssertEqual(try decodeOne("#t\r\n"), .boolean(true))
        XCTAssertEqual(try decodeOne("#f\r\n"), .boolean(false))
        XCTAssertEqual(try decodeOne(",1.5\r\n"), .double(1.5))
        XCTAssertEqual(try decodeOne(",-2\r\n"), .double(-2))
        XCTAssertEqual(try decodeOne(",1.25e3\r\n"), .double(1250))
        XCTAssertEqual(try decodeOne(",inf\r\n"), .double(.infinity))
        XCTAssertEqual(try decodeOne(",-inf\r\n"), .double(-.infinity))
        guard case .double(let nan) = try decodeOne(",nan\r\n") else { return XCTFail("not a double") }
        XCTAssertTrue(nan.isNaN)
        XCTAssertEqual(
            try decodeOne("%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#f\r\n"),
            .map([(key: .simpleString("first"), value: .integer(1)), (key: .bulk("second"), value: .boolean(false))]))
        XCTAssertEqual(try decodeOne("%0\r\n"), .map([]))
        XCTAssertEqual(
            try decodeOne(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"),
            .push([.bulk("message"), .bulk("ch"), .bulk("hi")]))
    }

    func testSeveralValuesInOneFeed() throws {
        XCTAssertEqual(try decodeAll("+OK\r\n:1\r\n$1\r\nx\r\n*1\r\n:2\r\n"),
                       [.simpleString("OK"), .integer(1), .bulk("x"), .array([.integer(2)])])
    }

    func testNeedsMoreUntilValueIsComplete() throws {
        var decoder = RESPDecoder()
        decoder.feed(Array("*2\r\n$3\r\nfo".utf8))
        XCTAssertNil(try decoder.next())
        decoder.feed(Array("o\r\n".utf8))
        XCTAssertNil(try decoder.next())
        decoder.feed(Array(":5\r".utf8))
        XCTAssertNil(try decoder.next())
        decoder.feed(Array("\n+next".utf8))
        XCTAssertEqual(try decoder.next(), .array([.bulk("foo"), .integer(5)]))
        XCTAssertNil(try decoder.next())
        XCTAssertEqual(decoder.bufferedByteCount, 5)
    }

    /// Every value in the fixture, fed one byte at a time, decodes to what it decodes to whole.
    func testOneByteAtATime() throws {
        let bytes = Self.fixture()
        let whole = try decodeAll(bytes)
        XCTAssertEqual(whole.count, Self.fixtureValues.count)
        XCTAssertEqual(whole, Self.fixtureValues.filter { !$0.containsNaN })

        var decoder = RESPDecoder()
        var values: [RESPValue] = []
        for byte in bytes {
            decoder.feed([byte])
            while let value = try decoder.next() { values.append(value) }
        }
        XCTAssertEqual(values, whole)
        XCTAssertEqual(decoder.bufferedByteCount, 0)
    }

    /// The fixture cut at random places (seeded, so a failure reproduces) decodes the same.
    func testArbitrarySplits() throws {
        let bytes = Self.fixture()
        let whole = try decodeAll(bytes)
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<300 {
            var decoder = RESPDecoder()
            var values: [RESPValue] = []
            var index = 0
            while index < bytes.count {
                let size = Int(random.next() % 17) + 1
                let end = min(index + size, bytes.count)
                decoder.feed(bytes[index..<end])
                while let value = try decoder.next() { values.append(value) }
                index = end
            }
            XCTAssertEqual(values, whole)
        }
    }

    /// Long bulk strings and many small values exercise the buffer compaction.
    func testLargeStreamInChunks() throws {
        var bytes: [UInt8] = []
        var expected: [RESPValue] = []
        for index in 0..<2_000 {
            let value: RESPValue = index % 3 == 0
                ? .bulkString([UInt8](repeating: UInt8(index % 251), count: 1_000 + index))
                : .array([.integer(Int64(index)), .bulk("v\(index)")])
            expected.append(value)
            RESPEncoder.append(value, to: &bytes)
        }
        var decoder = RESPDecoder()
        var values: [RESPValue] = []
        var index = 0
        while index < bytes.count {
            let end = min(index + 4_093, bytes.count)
            decoder.feed(bytes[index..<end])
            while let value = try decoder.next() { values.append(value) }
            index = end
        }
        XCTAssertEqual(values, expected)
        XCTAssertEqual(decoder.bufferedByteCount, 0)
    }

    func testRoundTripThroughEncoder() throws {
        for value in Self.fixtureValues where !value.containsNaN {
            XCTAssertEqual(try decodeAll(RESPEncoder.encode(value)), [value], "\(value)")
        }
    }

    // MARK: - Fixture

    static let fixtureValues: [RESPValue] = [
        .simpleString("OK"), .simpleString(""), .error("WRONGTYPE Operation against a key holding the wrong kind of value"),
        .integer(0), .integer(-1), .integer(.max), .integer(.min),
        .bulkString(nil), .bulkString([]), .bulk("hello"), .bulkString([13, 10, 0, 13, 13, 10, 10]),
        .bulkString([UInt8](repeating: 0x61, count: 300)),
        .array(nil), .array([]),
        .array([.bulk("message"), .bulk("room:1"), .bulkString(Array("{\"a\":1}\r\n".utf8))]),
        .array([.array([.array([.integer(1)]), .array([])]), .bulkString(nil), .error("ERR nested")]),
        .null, .boolean(true), .boolean(false), .double(3.25), .double(-0.5), .double(.infinity), .double(-.infinity),
        .map([(key: .bulk("field"), value: .bulk("value")), (key: .integer(2), value: .array([.null]))]),
        .push([.bulk("message"), .bulk("ch"), .bulk("payload")]),
    ]

    static func fixture() -> [UInt8] {
        var bytes: [UInt8] = []
        for value in fixtureValues where !value.containsNaN { RESPEncoder.append(value, to: &bytes) }
        return bytes
    }
}

extension RESPValue {
    var containsNaN: Bool {
        switch self {
        case .double(let value): return value.isNaN
        case .array(let elements?), .push(let elements): return elements.contains(where: \.containsNaN)
        case .map(let pairs): return pairs.contains { $0.key.containsNaN || $0.value.containsNaN }
        default: return false
        }
    }
}

/// A small deterministic generator (Steele, Lea, Flood: "Fast splittable pseudorandom number
/// generators", 2014), so that random splits and fuzz inputs reproduce.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
