import XCTest
@testable import DTLS

final class DTLSRecordPackerTests: XCTestCase {
    /// A DTLS 1.2 record (RFC 6347 §4.1) with `bodyLength` bytes of body.
    private func record(_ bodyLength: Int, type: UInt8 = 22) -> [UInt8] {
        [type, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, UInt8(bodyLength >> 8), UInt8(bodyLength & 0xFF)]
            + [UInt8](repeating: 0x5A, count: bodyLength)
    }

    private func ranges(_ bytes: [UInt8], mtu: Int) -> [Range<Int>] {
        bytes.withUnsafeBytes { DTLSRecordPacker(mtu: mtu).datagramRanges($0) }
    }

    func testPacksWholeRecordsUpToMTU() {
        let a = record(87), b = record(187), c = record(387), d = record(10)  // 100, 200, 400, 23 bytes
        let bytes = a + b + c + d
        XCTAssertEqual(ranges(bytes, mtu: 300), [0..<300, 300..<700, 700..<723])
        XCTAssertEqual(ranges(bytes, mtu: 1200), [0..<723])
        XCTAssertEqual(ranges(bytes, mtu: 250), [0..<100, 100..<300, 300..<700, 700..<723])
    }

    func testOversizedRecordGoesAlone() {
        let bytes = record(10) + record(2000) + record(10)
        XCTAssertEqual(ranges(bytes, mtu: 1200), [0..<23, 23..<2036, 2036..<2059])
    }

    func testMalformedTailIsSentAsIs() {
        let truncated = record(50) + Array(record(100).prefix(40))
        XCTAssertEqual(ranges(truncated, mtu: 1200), [0..<63, 63..<103])
        XCTAssertEqual(ranges([1, 2, 3], mtu: 1200), [0..<3])
        XCTAssertEqual(ranges([], mtu: 1200), [])
    }

    func testFuzzCoversEveryByteExactlyOnce() {
        var random = SplitMix64(state: 99)
        for _ in 0..<2000 {
            let bytes = random.bytes(Int(random.next() % 3000))
            let mtu = 256 + Int(random.next() % 1300)
            let result = ranges(bytes, mtu: mtu)
            var expectedStart = 0
            for range in result {
                XCTAssertEqual(range.lowerBound, expectedStart)
                XCTAssertFalse(range.isEmpty)
                expectedStart = range.upperBound
            }
            XCTAssertEqual(expectedStart, bytes.count)
        }
    }
}
