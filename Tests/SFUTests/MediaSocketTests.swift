import XCTest
import CDatagram
import DTLS
import ICE
import Logging
import NIOEmbedded
@testable import SFU

/// The media socket's own I/O on a real loopback descriptor: what NIO leaves waiting is read
/// in batches and routed, and queued datagrams leave in one sendmmsg batch.
final class MediaSocketTests: XCTestCase {
    private var descriptors: [CInt] = []

    override func tearDown() {
        for fd in descriptors { close(fd) }
        descriptors = []
    }

    private func openLoopback() throws -> (fd: CInt, address: TransportAddress) {
        var port: UInt16 = 0
        let loopback: [UInt8] = [127, 0, 0, 1]
        let fd = cdatagram_open_udp(4, loopback, 0, 0, 1 << 20, &port)
        guard fd >= 0 else { throw XCTSkip("cannot open a loopback UDP socket: \(fd)") }
        descriptors.append(fd)
        return (fd, TransportAddress(ip: loopback, port: port))
    }

    private func makeSocket(descriptor: CInt) throws -> (MediaSocket, MediaRouter, MediaContext) {
        let context = MediaContext(logger: Logger(label: "media-socket-test"), certificate: try DTLSCertificate.generate(),
                                   inboundLoss: 0, outboundLoss: 0)
        let router = MediaRouter(context: context)
        context.router = router
        return (MediaSocket(channel: EmbeddedChannel(), descriptor: descriptor), router, context)
    }

    func testDrainReadsEverythingWaitingInBatchesAndRoutesIt() throws {
        let (serverFD, serverAddress) = try openLoopback()
        let (peerFD, _) = try openLoopback()
        let (socket, router, context) = try makeSocket(descriptor: serverFD)
        let sender = MediaSocket(channel: EmbeddedChannel(), descriptor: peerFD)
        let datagram: [UInt8] = [0x80, 0x60] + [UInt8](repeating: 7, count: 98)  // RTP-looking, from nobody we know
        for _ in 0..<150 { sender.send(datagram, to: serverAddress) }
        sender.flushIfNeeded()
        XCTAssertEqual(sender.sendFailures, 0)

        let deadline = Date().addingTimeInterval(5)
        while context.counters.unroutablePackets < 150, Date() < deadline {
            socket.drain(into: router)
            if context.counters.unroutablePackets < 150 { usleep(2_000) }
        }
        XCTAssertEqual(context.counters.unroutablePackets, 150, "three recvmmsg batches (64 + 64 + 22), each routed")
        XCTAssertEqual(socket.receiveFailures, 0)
    }

    func testQueuedDatagramsLeaveTogetherAndArriveIntact() throws {
        let (serverFD, _) = try openLoopback()
        let (peerFD, peerAddress) = try openLoopback()
        let (socket, _, _) = try makeSocket(descriptor: serverFD)
        let payloads = (0..<10).map { [UInt8](repeating: UInt8($0), count: 50 + $0) }
        for payload in payloads { socket.send(payload, to: peerAddress) }
        socket.flushIfNeeded()
        XCTAssertEqual(socket.sendFailures, 0)

        let slot = 2048
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: slot * 16)
        defer { buffer.deallocate() }
        var records = [cdatagram_addressed](repeating: cdatagram_addressed(), count: 16)
        var got = 0
        let deadline = Date().addingTimeInterval(5)
        while got < payloads.count, Date() < deadline {
            let count = records.withUnsafeMutableBufferPointer {
                Int(cdatagram_receive_from(peerFD, buffer + got * slot, CInt(slot), $0.baseAddress! + got, CInt(16 - got)))
            }
            XCTAssertGreaterThanOrEqual(count, 0)
            got += count
            if count == 0 { usleep(1_000) }
        }
        XCTAssertEqual(got, payloads.count)
        for (index, payload) in payloads.enumerated() {
            XCTAssertEqual(Int(records[index].length), payload.count)
            XCTAssertEqual(records[index].family, 4)
            XCTAssertEqual(Array(UnsafeBufferPointer(start: buffer + index * slot, count: payload.count)), payload)
        }
    }

    func testAClosedSocketSendsNothingMore() throws {
        let (serverFD, _) = try openLoopback()
        let (_, peerAddress) = try openLoopback()
        let (socket, _, _) = try makeSocket(descriptor: serverFD)
        socket.close()
        socket.send([1, 2, 3], to: peerAddress)
        socket.flushIfNeeded()
        XCTAssertEqual(socket.sendFailures, 0, "refused before it is queued: the descriptor may already be reused")
    }
}
