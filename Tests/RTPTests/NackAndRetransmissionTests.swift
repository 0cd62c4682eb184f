import XCTest
@testable import RTP

final class NackAndRetransmissionTests: XCTestCase {
    func testGapRetryAndFill() {
        var g = NackGenerator(maxRetries: 10, retryInterval: 0.02, maxAge: 1000)
        for seq: UInt16 in [1, 2, 5] { g.packetReceived(sequenceNumber: seq, now: 0) }
        XCTAssertEqual(g.missingCount, 2)
        XCTAssertEqual(g.dueNacks(now: 0), [3, 4])
        XCTAssertEqual(g.dueNacks(now: 0.01), [])
        XCTAssertEqual(g.dueNacks(now: 0.02), [3, 4])
        g.packetReceived(sequenceNumber: 3, now: 0.03)  // retransmission fills the gap
        XCTAssertEqual(g.missingCount, 1)
        XCTAssertEqual(g.dueNacks(now: 0.04), [4])
        g.setRetryInterval(0.1)
        XCTAssertEqual(g.dueNacks(now: 0.1), [])
        XCTAssertEqual(g.dueNacks(now: 0.14), [4])
    }

    func testMaxRetries() {
        var g = NackGenerator(maxRetries: 2, retryInterval: 0.01, maxAge: 100)
        g.packetReceived(sequenceNumber: 10, now: 0)
        g.packetReceived(sequenceNumber: 12, now: 0)
        XCTAssertEqual(g.dueNacks(now: 0), [11])
        XCTAssertEqual(g.dueNacks(now: 1), [11])
        XCTAssertEqual(g.dueNacks(now: 2), [])
        XCTAssertEqual(g.missingCount, 0)
    }

    func testMaxAgeForgetsOldGaps() {
        var g = NackGenerator(maxRetries: 5, retryInterval: 0.01, maxAge: 10)
        g.packetReceived(sequenceNumber: 0, now: 0)
        g.packetReceived(sequenceNumber: 5, now: 0)
        XCTAssertEqual(g.missingCount, 4)
        g.packetReceived(sequenceNumber: 100, now: 0)  // jump: only the last 10 are worth asking
        XCTAssertEqual(g.missingCount, 10)
        XCTAssertEqual(g.dueNacks(now: 0), (90..<100).map { UInt16($0) })
        g.packetReceived(sequenceNumber: 105, now: 0)  // 90...94 age out, 101...104 added
        XCTAssertEqual(g.dueNacks(now: 1), [95, 96, 97, 98, 99, 101, 102, 103, 104])
    }

    func testGapAcrossWrap() {
        var g = NackGenerator()
        g.packetReceived(sequenceNumber: 65533, now: 0)
        g.packetReceived(sequenceNumber: 1, now: 0)
        XCTAssertEqual(g.dueNacks(now: 0), [65534, 65535, 0])
        g.packetReceived(sequenceNumber: 65535, now: 0)
        XCTAssertEqual(g.dueNacks(now: 1), [65534, 0])
    }

    func testRetransmissionBufferStoreAndEvict() {
        var b = RetransmissionBuffer(capacity: 4, maxPacketSize: 8)
        for seq in 0..<6 {
            let packet = [UInt8](repeating: UInt8(seq), count: seq + 1)
            packet.withUnsafeBytes { b.store(sequenceNumber: UInt16(seq), packet: $0, now: 0) }
        }
        XCTAssertNil(b.withPacket(sequenceNumber: 0, maxAge: 10, now: 0) { Array($0) })  // evicted by 4
        XCTAssertNil(b.withPacket(sequenceNumber: 1, maxAge: 10, now: 0) { Array($0) })  // evicted by 5
        for seq in 2..<6 {
            XCTAssertEqual(b.withPacket(sequenceNumber: UInt16(seq), maxAge: 10, now: 0) { Array($0) },
                           [UInt8](repeating: UInt8(seq), count: seq + 1))
        }
        XCTAssertNil(b.withPacket(sequenceNumber: 9, maxAge: 10, now: 0) { $0.count })
    }

    func testRetransmissionBufferAgeAndSize() {
        var b = RetransmissionBuffer(capacity: 16, maxPacketSize: 4)
        [UInt8]([1, 2, 3]).withUnsafeBytes { b.store(sequenceNumber: 65535, packet: $0, now: 1.0) }
        XCTAssertEqual(b.withPacket(sequenceNumber: 65535, maxAge: 0.5, now: 1.4) { Array($0) }, [1, 2, 3])
        XCTAssertNil(b.withPacket(sequenceNumber: 65535, maxAge: 0.5, now: 1.6) { Array($0) })
        [UInt8](repeating: 9, count: 5).withUnsafeBytes { b.store(sequenceNumber: 7, packet: $0, now: 2) }
        XCTAssertNil(b.withPacket(sequenceNumber: 7, maxAge: 1, now: 2) { $0.count })
        b.removeAll()
        XCTAssertNil(b.withPacket(sequenceNumber: 65535, maxAge: 10, now: 1.0) { $0.count })
    }
}
