import XCTest
@testable import DataChannel

final class MessageReassemblerTests: XCTestCase {
    private func append(_ r: inout MessageReassembler, _ stream: UInt16, _ bytes: [UInt8], eor: Bool) -> [UInt8]? {
        bytes.withUnsafeBytes { r.append(streamID: stream, $0, endOfRecord: eor) }
    }

    func testWholeMessagePassesThrough() {
        var r = MessageReassembler(maxMessageSize: 10)
        XCTAssertEqual(append(&r, 1, [1, 2, 3], eor: true), [1, 2, 3])
    }

    func testPiecesJoinPerStream() {
        var r = MessageReassembler(maxMessageSize: 100)
        XCTAssertNil(append(&r, 1, [1, 2], eor: false))
        XCTAssertNil(append(&r, 2, [9], eor: false))
        XCTAssertNil(append(&r, 1, [3], eor: false))
        XCTAssertEqual(append(&r, 1, [4], eor: true), [1, 2, 3, 4])
        XCTAssertEqual(append(&r, 2, [8], eor: true), [9, 8])
        XCTAssertEqual(append(&r, 1, [5], eor: true), [5])
    }

    func testOversizedMessageIsDiscardedUpToItsEnd() {
        var r = MessageReassembler(maxMessageSize: 4)
        XCTAssertNil(append(&r, 1, [1, 2, 3], eor: false))
        XCTAssertNil(append(&r, 1, [4, 5], eor: false))   // over the limit: discard
        XCTAssertNil(append(&r, 1, [6], eor: true))       // rest of the discarded message
        XCTAssertEqual(append(&r, 1, [7], eor: true), [7])
        XCTAssertNil(append(&r, 1, [1, 2, 3, 4, 5], eor: true))
    }

    func testResetDropsPartialMessage() {
        var r = MessageReassembler(maxMessageSize: 100)
        XCTAssertNil(append(&r, 3, [1, 2], eor: false))
        r.reset(streamID: 3)
        XCTAssertEqual(append(&r, 3, [9], eor: true), [9])
    }
}
