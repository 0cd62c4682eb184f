import XCTest
import CDatagram
@testable import LoadTest

/// The tester's one socket: datagrams leave with each peer's own 127.a.b.c source address
/// and arrive with the address they were sent to, and a kernel timestamp.
final class LoopbackPortTests: XCTestCase {
    func testPeerAddressesAreDistinctLoopbackHostsOutside127Dot0() {
        var seen = Set<UInt32>()
        for index in [0, 1, 253, 254, 255, 64_515, 64_516, 200_000] {
            let (octets, value) = LoopbackPort.peerAddress(index: index)
            XCTAssertEqual(octets[0], 127)
            XCTAssertNotEqual(octets[1], 0, "127.0.x.x is left to servers")
            XCTAssertTrue((1...254).contains(octets[3]), "\(octets)")
            XCTAssertTrue(seen.insert(value).inserted, "index \(index) reuses \(octets)")
        }
        XCTAssertEqual(LoopbackPort.peerAddress(index: 0).octets, [127, 1, 0, 1])
        XCTAssertEqual(LoopbackPort.peerAddress(index: 254).octets, [127, 1, 1, 1])
    }

    func testADatagramKeepsItsSourceAndDestinationAddressesAndGetsATimestamp() throws {
        let port = try LoopbackPort()
        let from = LoopbackPort.peerAddress(index: 7).networkOrder
        let to = LoopbackPort.peerAddress(index: 9).networkOrder
        let payloads: [[UInt8]] = [[1, 2, 3], Array(repeating: 0xAB, count: 1_200)]
        for payload in payloads {
            payload.withUnsafeBytes { port.append($0, from: from, to: to, port: port.port) }
        }
        XCTAssertTrue(port.hasPending)
        port.flush()
        XCTAssertEqual(port.packetsSent, 2)
        XCTAssertEqual(port.sendErrors, 0)
        XCTAssertFalse(port.hasPending)

        let slot = LoopbackPort.slotSize
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: slot * 4)
        defer { buffer.deallocate() }
        var records = [cdatagram_in](repeating: cdatagram_in(), count: 4)
        var received = 0
        let deadline = Date().addingTimeInterval(5)
        while received < 2, Date() < deadline {
            let count = records.withUnsafeMutableBufferPointer { records in
                Int(cdatagram_receive(port.descriptor, buffer + received * slot, CInt(slot), records.baseAddress! + received,
                                      CInt(4 - received)))
            }
            XCTAssertGreaterThanOrEqual(count, 0)
            received += count
            if count == 0 { usleep(1_000) }
        }
        XCTAssertEqual(received, 2)
        for (index, payload) in payloads.enumerated() {
            let record = records[index]
            XCTAssertEqual(Int(record.length), payload.count)
            XCTAssertEqual(record.source_ip, from, "IP_PKTINFO set the source")
            XCTAssertEqual(record.source_port, port.port)
            XCTAssertEqual(record.destination_ip, to, "IP_PKTINFO reports the destination")
            XCTAssertGreaterThan(record.realtime_ns, 0, "SO_TIMESTAMPNS")
            XCTAssertEqual(Array(UnsafeBufferPointer(start: buffer + index * slot, count: payload.count)), payload)
        }
    }

    func testNothingWaitingReadsZeroWithoutBlocking() throws {
        let port = try LoopbackPort()
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: LoopbackPort.slotSize)
        defer { buffer.deallocate() }
        var record = cdatagram_in()
        XCTAssertEqual(cdatagram_receive(port.descriptor, buffer, CInt(LoopbackPort.slotSize), &record, 1), 0)
    }
}
