import XCTest
@testable import SFU

/// RFC 4571 §2 framing for ICE-TCP (RFC 6544 §3): a 16-bit big-endian length before each packet.
final class RFC4571DeframerTests: XCTestCase {
    func testPacketsSplitAnywhereComeOutWholeAndInOrder() {
        let packets: [[UInt8]] = [Array(repeating: 1, count: 20), [], Array(0...255).map(UInt8.init), [7]]
        var stream: [UInt8] = []
        for packet in packets { stream += packet.withUnsafeBytes { RFC4571Deframer.frame($0)! } }
        for cut in [1, 2, 3, 7, 100, stream.count] {
            var deframer = RFC4571Deframer()
            var out: [[UInt8]] = []
            var offset = 0
            while offset < stream.count {
                deframer.append(stream[offset..<min(offset + cut, stream.count)])
                offset += cut
                while let packet = deframer.next() { out.append(packet) }
            }
            XCTAssertEqual(out, packets.filter { !$0.isEmpty }, "cut \(cut)")
            XCTAssertEqual(deframer.pendingBytes, 0)
        }
    }

    func testAnIncompletePacketWaits() {
        var deframer = RFC4571Deframer()
        deframer.append([0x00, 0x04, 9, 9, 9])
        XCTAssertNil(deframer.next())
        deframer.append([9])
        XCTAssertEqual(deframer.next(), [9, 9, 9, 9])
    }

    func testFramingWritesTheLengthBigEndianAndRefusesWhatCannotBeFramed() {
        XCTAssertEqual([UInt8](repeating: 5, count: 0x0102).withUnsafeBytes { RFC4571Deframer.frame($0) }?.prefix(2), [0x01, 0x02])
        XCTAssertNil([UInt8](repeating: 0, count: 0x10000).withUnsafeBytes { RFC4571Deframer.frame($0) })
    }
}
