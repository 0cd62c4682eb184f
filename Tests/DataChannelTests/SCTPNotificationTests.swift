import XCTest
@testable import DataChannel

final class SCTPNotificationTests: XCTestCase {
    private func bytes16(_ values: [UInt16]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0) { Array($0) } }
    }
    private func bytes32(_ value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }
    private func parse(_ bytes: [UInt8]) throws -> SCTPNotification {
        try bytes.withUnsafeBytes { raw in try SCTPNotification.parse(raw) }
    }

    func testAssociationChange() throws {
        // struct sctp_assoc_change: type, flags, length, state, error, out, in, assoc_id.
        let bytes = bytes16([0x0001, 0]) + bytes32(20) + bytes16([SCTPNotification.commUp, 0, 1024, 1024]) + bytes32(7)
        XCTAssertEqual(try parse(bytes), .associationChange(state: SCTPNotification.commUp))
    }

    func testStreamResetListsStreams() throws {
        // struct sctp_stream_reset_event: type, flags, length, assoc_id, streams[].
        let bytes = bytes16([0x0009, SCTPNotification.resetIncoming]) + bytes32(16) + bytes32(1) + bytes16([4, 6])
        XCTAssertEqual(try parse(bytes), .streamReset(flags: SCTPNotification.resetIncoming, streams: [4, 6]))
        // The length field bounds the list even if the buffer is longer.
        let short = bytes16([0x0009, 0]) + bytes32(14) + bytes32(1) + bytes16([4, 6])
        XCTAssertEqual(try parse(short), .streamReset(flags: 0, streams: [4]))
    }

    func testPartialDeliveryAndOther() throws {
        let pd = bytes16([0x0007, 0]) + bytes32(24) + bytes32(1) + bytes32(3) + bytes32(0) + bytes32(0)
        XCTAssertEqual(try parse(pd), .partialDelivery(indication: 1, stream: 3))
        XCTAssertEqual(try parse(bytes16([0x000A, 0]) + bytes32(8)), .other(type: 0x000A))
    }

    func testTruncatedNotificationsThrow() {
        XCTAssertThrowsError(try parse([1, 0, 0]))
        XCTAssertThrowsError(try parse(bytes16([0x0001, 0]) + bytes32(20)))
        XCTAssertThrowsError(try parse(bytes16([0x0009, 0]) + bytes32(16) + [0]))
    }

    func testFuzzNeverCrashes() {
        var random = TestRandom(state: 0x707)
        for _ in 0..<5000 {
            var input = random.bytes(Int(random.next() % 40))
            if input.count >= 2 { input[0] = [1, 7, 9, 3][Int(random.next() % 4)]; input[1] = 0 }
            _ = try? parse(input)
        }
    }
}
