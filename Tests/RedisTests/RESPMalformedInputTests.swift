import XCTest
@testable import Redis

/// Bad input ends in a typed error (never a crash, never a hang), and announced sizes are checked
/// before the decoder waits for the bytes.
final class RESPMalformedInputTests: XCTestCase {
    private func error(_ bytes: [UInt8], limits: RESPDecoder.Limits = .init()) -> RESPDecodingError? {
        var decoder = RESPDecoder(limits: limits)
        decoder.feed(bytes)
        do {
            while try decoder.next() != nil {}
            return nil
        } catch {
            return error
        }
    }

    private func error(_ text: String, limits: RESPDecoder.Limits = .init()) -> RESPDecodingError? {
        error(Array(text.utf8), limits: limits)
    }

    func testMalformedLines() {
        XCTAssertEqual(error("?what\r\n"), .unknownType(UInt8(ascii: "?")))
        XCTAssertEqual(error("\r\n"), .unknownType(13))
        XCTAssertEqual(error("~1\r\n:1\r\n"), .unknownType(UInt8(ascii: "~")), "RESP3 sets are not supported")
        XCTAssertEqual(error(":abc\r\n"), .invalidInteger("abc"))
        XCTAssertEqual(error(":\r\n"), .invalidInteger(""))
        XCTAssertEqual(error(":-\r\n"), .invalidInteger("-"))
        XCTAssertEqual(error(":1.5\r\n"), .invalidInteger("1.5"))
        XCTAssertEqual(error(":9223372036854775808\r\n"), .invalidInteger("9223372036854775808"))
        XCTAssertEqual(error(":-9223372036854775809\r\n"), .invalidInteger("-9223372036854775809"))
        XCTAssertEqual(error("$-2\r\n"), .invalidLength("-2"))
        XCTAssertEqual(error("$abc\r\n"), .invalidLength("abc"))
        XCTAssertEqual(error("$+3\r\nabc\r\n"), .invalidLength("+3"))
        XCTAssertEqual(error("*-5\r\n"), .invalidLength("-5"))
        XCTAssertEqual(error("%-1\r\n"), .invalidLength("-1"), "a map has no null form")
        XCTAssertEqual(error(">-1\r\n"), .invalidLength("-1"))
        XCTAssertEqual(error("#x\r\n"), .invalidBoolean("x"))
        XCTAssertEqual(error("#\r\n"), .invalidBoolean(""))
        XCTAssertEqual(error(",1.2.3\r\n"), .invalidDouble("1.2.3"))
        XCTAssertEqual(error(",0x10\r\n"), .invalidDouble("0x10"))
        XCTAssertEqual(error(",infinity\r\n"), .invalidDouble("infinity"))
        XCTAssertEqual(error(",\r\n"), .invalidDouble(""))
        XCTAssertEqual(error("_x\r\n"), .invalidNull)
    }

    func testLineEndings() {
        XCTAssertEqual(error("+OK\n"), .invalidLineEnding)
        XCTAssertEqual(error("+O\rK\r\n"), .invalidLineEnding)
        XCTAssertEqual(error(":1\n\r\n"), .invalidLineEnding)
        XCTAssertEqual(error("$3\r\nabcX\r\n"), .missingTerminator)
        XCTAssertEqual(error("$3\r\nabc\rX"), .missingTerminator)
        XCTAssertEqual(error("$3\r\nab\r\n\r\n"), .missingTerminator, "payload shorter than announced")
    }

    func testFailedDecoderStaysFailed() throws {
        var decoder = RESPDecoder()
        decoder.feed(Array("+OK\r\n!oops\r\n".utf8))
        XCTAssertEqual(try decoder.next(), .simpleString("OK"))
        XCTAssertThrowsError(try decoder.next())
        decoder.feed(Array("+OK\r\n".utf8))
        XCTAssertThrowsError(try decoder.next()) { XCTAssertEqual($0 as? RESPDecodingError, .unknownType(UInt8(ascii: "!"))) }
    }

    func testUnknownTypeFailsOnItsFirstByte() {
        var decoder = RESPDecoder()
        decoder.feed([UInt8(ascii: "x")])
        XCTAssertThrowsError(try decoder.next())
    }

    // MARK: - Limits

    func testBulkLengthLimit() {
        let limit = 512 << 20
        XCTAssertEqual(error("$\(limit + 1)\r\n"), .bulkTooLong(length: limit + 1, limit: limit),
                       "rejected on the length line, before any payload")
        XCTAssertEqual(error("$99999999999999999\r\n"), .bulkTooLong(length: 99_999_999_999_999_999, limit: limit))
        XCTAssertNil(error("$\(limit)\r\n"), "exactly the limit waits for the payload")
    }

    func testElementCountLimit() {
        let limit = 1 << 20
        XCTAssertEqual(error("*\(limit + 1)\r\n"), .tooManyElements(count: limit + 1, limit: limit))
        XCTAssertEqual(error(">\(limit + 1)\r\n"), .tooManyElements(count: limit + 1, limit: limit))
        XCTAssertEqual(error("%\(limit + 1)\r\n"), .tooManyElements(count: limit + 1, limit: limit))
        XCTAssertNil(error("*\(limit)\r\n"), "exactly the limit waits for the elements")
    }

    func testNestingLimit() throws {
        XCTAssertNil(error(String(repeating: "*1\r\n", count: 32) + ":1\r\n"))
        XCTAssertEqual(error(String(repeating: "*1\r\n", count: 33) + ":1\r\n"), .nestingTooDeep(limit: 32))
        XCTAssertEqual(error(String(repeating: "*1\r\n", count: 32) + "*0\r\n"), .nestingTooDeep(limit: 32),
                       "an empty aggregate counts as a level too")
        XCTAssertEqual(error(String(repeating: "%1\r\n", count: 40)), .nestingTooDeep(limit: 32))

        var deep = RESPValue.integer(1)
        for _ in 0..<32 { deep = .array([deep]) }
        var decoder = RESPDecoder()
        decoder.feed(RESPEncoder.encode(deep))
        XCTAssertEqual(try decoder.next(), deep)
    }

    func testLineLengthLimit() {
        var limits = RESPDecoder.Limits()
        limits.maxLineLength = 16
        XCTAssertNil(error("+" + String(repeating: "a", count: 16) + "\r\n", limits: limits))
        XCTAssertEqual(error("+" + String(repeating: "a", count: 17) + "\r\n", limits: limits), .lineTooLong(limit: 16))
        XCTAssertEqual(error("-" + String(repeating: "a", count: 40), limits: limits), .lineTooLong(limit: 16),
                       "rejected without waiting for the CRLF")
        XCTAssertEqual(error(":" + String(repeating: "1", count: 70 << 10)), .lineTooLong(limit: 64 << 10))
    }

    func testCustomLimits() {
        var limits = RESPDecoder.Limits()
        limits.maxBulkLength = 4
        limits.maxElements = 2
        limits.maxDepth = 2
        XCTAssertNil(error("$4\r\nabcd\r\n", limits: limits))
        XCTAssertEqual(error("$5\r\nabcde\r\n", limits: limits), .bulkTooLong(length: 5, limit: 4))
        XCTAssertEqual(error("*3\r\n:1\r\n:2\r\n:3\r\n", limits: limits), .tooManyElements(count: 3, limit: 2))
        XCTAssertEqual(error("%3\r\n", limits: limits), .tooManyElements(count: 3, limit: 2))
        XCTAssertNil(error("*1\r\n*1\r\n:1\r\n", limits: limits))
        XCTAssertEqual(error("*1\r\n*1\r\n*1\r\n:1\r\n", limits: limits), .nestingTooDeep(limit: 2))
    }

    /// Random bytes and mutated valid streams: the decoder returns values, waits or throws, and
    /// never traps. Seeded so a failure reproduces.
    func testFuzzNeverCrashes() {
        var random = SplitMix64(seed: 0xF00D)
        let valid = RESPDecoderTests.fixture()
        let alphabet = Array("+-:$*%>_#,\r\n0123456789-tfinaxX".utf8)
        for round in 0..<3_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(random.next() % 64)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            } else {
                bytes = valid
                for _ in 0..<Int(random.next() % 4 + 1) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            var limits = RESPDecoder.Limits()
            limits.maxBulkLength = 1 << 16
            var decoder = RESPDecoder(limits: limits)
            var index = 0
            var steps = 0
            feeding: while index < bytes.count {
                let end = min(bytes.count, index + Int(random.next() % 9) + 1)
                decoder.feed(bytes[index..<end])
                index = end
                do {
                    while try decoder.next() != nil { steps += 1 }
                } catch {
                    break feeding
                }
            }
            XCTAssertLessThanOrEqual(steps, bytes.count, "more values than bytes")
        }
    }
}
