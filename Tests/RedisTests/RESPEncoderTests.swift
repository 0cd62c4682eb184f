import XCTest
@testable import Redis

final class RESPEncoderTests: XCTestCase {
    func testCommandIsAnArrayOfBulkStrings() {
        XCTAssertEqual(String(decoding: RESPEncoder.command([Array("GET".utf8), Array("key".utf8)]), as: UTF8.self),
                       "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")
        XCTAssertEqual(String(decoding: RESPEncoder.command([Array("SET".utf8), Array("k".utf8), []]), as: UTF8.self),
                       "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n")
    }

    func testBinaryArgumentsAreSentAsTheyAre() {
        let bytes = RESPEncoder.command([[13, 10, 0]])
        XCTAssertEqual(bytes, Array("*1\r\n$3\r\n".utf8) + [13, 10, 0, 13, 10])
    }

    func testValues() {
        func text(_ value: RESPValue) -> String { String(decoding: RESPEncoder.encode(value), as: UTF8.self) }
        XCTAssertEqual(text(.simpleString("OK")), "+OK\r\n")
        XCTAssertEqual(text(.error("ERR x")), "-ERR x\r\n")
        XCTAssertEqual(text(.integer(-3)), ":-3\r\n")
        XCTAssertEqual(text(.bulkString(nil)), "$-1\r\n")
        XCTAssertEqual(text(.array(nil)), "*-1\r\n")
        XCTAssertEqual(text(.array([.integer(1), .bulk("a")])), "*2\r\n:1\r\n$1\r\na\r\n")
        XCTAssertEqual(text(.null), "_\r\n")
        XCTAssertEqual(text(.boolean(true)), "#t\r\n")
        XCTAssertEqual(text(.double(1.5)), ",1.5\r\n")
        XCTAssertEqual(text(.double(-.infinity)), ",-inf\r\n")
        XCTAssertEqual(text(.double(.nan)), ",nan\r\n")
        XCTAssertEqual(text(.map([(key: .bulk("k"), value: .integer(1))])), "%1\r\n$1\r\nk\r\n:1\r\n")
        XCTAssertEqual(text(.push([.bulk("m")])), ">1\r\n$1\r\nm\r\n")
    }

    func testAccessors() {
        XCTAssertEqual(RESPValue.bulk("x").stringValue, "x")
        XCTAssertEqual(RESPValue.simpleString("OK").bytesValue, Array("OK".utf8))
        XCTAssertNil(RESPValue.bulkString(nil).stringValue)
        XCTAssertTrue(RESPValue.bulkString(nil).isNull)
        XCTAssertTrue(RESPValue.array(nil).isNull)
        XCTAssertTrue(RESPValue.null.isNull)
        XCTAssertFalse(RESPValue.bulkString([]).isNull)
        XCTAssertEqual(RESPValue.integer(4).int64Value, 4)
        XCTAssertEqual(RESPValue.push([.integer(1)]).arrayValue, [.integer(1)])
        XCTAssertNotEqual(RESPValue.bulk("1"), .integer(1))
        XCTAssertEqual(RESPValue.array([RESPValue](repeating: .integer(1), count: 20)).description.count < 120, true)
    }
}
