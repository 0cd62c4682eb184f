import ICE
import NIOCore
import XCTest
@testable import SFU

/// Every DTLS, RTP or RTCP datagram a transport cannot take is counted
/// (`transportPacketsRefused`), never dropped silently: before its keys, from an address ICE
/// did not select, and after it closed.
final class TransportRefusalCountTests: XCTestCase {
    let rtp: [UInt8] = [0x80, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0x30, 0x39] + [UInt8](repeating: 0xAB, count: 40)
    let rtcp: [UInt8] = [0x81, 201, 0, 7] + [UInt8](repeating: 0, count: 28)
    let dtls: [UInt8] = [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]

    private func deliver(_ packets: [[UInt8]], to transport: WebRTCTransport, from port: Int) throws {
        let address = TransportAddress(try SocketAddress(ipAddress: "127.0.0.1", port: port))!
        for packet in packets {
            _ = packet.withUnsafeBytes { transport.receive($0, from: address, now: 1) }
        }
    }

    func testMediaBeforeTheTransportHasKeysIsCounted() throws {
        let bed = try ForwardingTestBed()
        let transport = WebRTCTransport(socket: bed.socket, context: bed.context)
        try deliver([rtp, rtcp, dtls], to: transport, from: 40000)
        XCTAssertEqual(bed.context.counters.transportPacketsRefused, 3)
    }

    func testMediaFromAnAddressICEDidNotSelectIsCounted() throws {
        let bed = try ForwardingTestBed()
        try deliver([rtp, rtcp, dtls, rtp], to: bed.publisher.transport, from: 40001)
        XCTAssertEqual(bed.context.counters.transportPacketsRefused, 4)
        XCTAssertEqual(bed.context.counters.srtpErrors, 0, "never tried against the keys")
    }

    func testEverythingButSTUNAfterCloseIsCounted() throws {
        let bed = try ForwardingTestBed()
        bed.publisher.close(reason: "test", now: 1)
        try deliver([rtp, rtcp, dtls], to: bed.publisher.transport, from: 10000)
        XCTAssertEqual(bed.context.counters.transportPacketsRefused, 3)
    }
}
