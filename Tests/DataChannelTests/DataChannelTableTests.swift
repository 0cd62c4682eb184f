import XCTest
@testable import DataChannel

final class DataChannelTableTests: XCTestCase {
    func testClientAllocatesEvenAndServerOddStreams() {
        var client = DataChannelTable(isDTLSClient: true, streamCount: 1024)
        var server = DataChannelTable(isDTLSClient: false, streamCount: 1024)
        XCTAssertEqual((0..<3).compactMap { _ in client.openLocal(label: "c", reliability: .reliable, protocol: "")?.streamID },
                       [0, 2, 4])
        XCTAssertEqual((0..<3).compactMap { _ in server.openLocal(label: "s", reliability: .reliable, protocol: "")?.streamID },
                       [1, 3, 5])
    }

    func testAllocationSkipsStreamsInUseAndReusesFreedOnes() {
        var table = DataChannelTable(isDTLSClient: true, streamCount: 8)
        _ = table.openRemote(streamID: 2, channelType: 0, reliabilityParameter: 0, label: "r", protocol: "")
        XCTAssertEqual(table.openLocal(label: "a", reliability: .reliable, protocol: "")?.streamID, 0)
        XCTAssertEqual(table.openLocal(label: "b", reliability: .reliable, protocol: "")?.streamID, 4)
        XCTAssertEqual(table.openLocal(label: "c", reliability: .reliable, protocol: "")?.streamID, 6)
        XCTAssertNil(table.openLocal(label: "full", reliability: .reliable, protocol: ""))
        table.remove(streamID: 4)
        XCTAssertEqual(table.openLocal(label: "d", reliability: .reliable, protocol: "")?.streamID, 4)
    }

    func testUnorderedIsSentOrderedUntilAcknowledged() {
        var table = DataChannelTable(isDTLSClient: true, streamCount: 16)
        let id = table.openLocal(label: "_lossy", reliability: .unordered, protocol: "")!.streamID
        // RFC 8832 §6: before DATA_CHANNEL_ACK user data goes ordered.
        XCTAssertEqual(table.sendParameters(streamID: id),
                       .init(unordered: false, prPolicy: DataChannelTable.prRTX, prValue: 0))
        table.acknowledge(streamID: id)
        XCTAssertEqual(table.sendParameters(streamID: id),
                       .init(unordered: true, prPolicy: DataChannelTable.prRTX, prValue: 0))
    }

    func testRemoteChannelTypesMapToInfo() {
        var table = DataChannelTable(isDTLSClient: false, streamCount: 16)
        let timed = table.openRemote(streamID: 4, channelType: 0x82, reliabilityParameter: 1500, label: "t", protocol: "p")
        XCTAssertEqual(timed, DataChannelInfo(streamID: 4, label: "t", protocol: "p", ordered: false, maxPacketLifeTime: 1500))
        XCTAssertEqual(table.sendParameters(streamID: 4),
                       .init(unordered: true, prPolicy: DataChannelTable.prTTL, prValue: 1500))
        let rexmit = table.openRemote(streamID: 6, channelType: 0x01, reliabilityParameter: 70000, label: "", protocol: "")
        XCTAssertEqual(rexmit.maxRetransmits, UInt16.max)  // clamped to 16 bits
        XCTAssertTrue(rexmit.ordered)
        let reliable = table.openRemote(streamID: 8, channelType: 0x80, reliabilityParameter: 9, label: "", protocol: "")
        XCTAssertEqual(reliable, DataChannelInfo(streamID: 8, label: "", protocol: "", ordered: false))
        XCTAssertEqual(table.sendParameters(streamID: 8),
                       .init(unordered: true, prPolicy: DataChannelTable.prNone, prValue: 0))
    }

    func testClosingChannelRefusesSends() {
        var table = DataChannelTable(isDTLSClient: true, streamCount: 16)
        let id = table.openLocal(label: "x", reliability: .reliable, protocol: "")!.streamID
        XCTAssertTrue(table.beginClose(streamID: id))
        XCTAssertFalse(table.beginClose(streamID: id))
        XCTAssertNil(table.sendParameters(streamID: id))
        XCTAssertFalse(table.beginClose(streamID: 99))
    }

    func testReliabilityMapsToDCEPChannelTypes() {
        XCTAssertTrue(DataChannelReliability.reliable.dcepChannelType == (0x00, 0))
        XCTAssertTrue(DataChannelReliability.unordered.dcepChannelType == (0x81, 0))
        XCTAssertTrue(DataChannelReliability.partial(maxRetransmits: 5, ordered: true).dcepChannelType == (0x01, 5))
        XCTAssertTrue(DataChannelReliability.partial(maxRetransmits: 5, ordered: false).dcepChannelType == (0x81, 5))
        let info = DataChannelInfo(streamID: 0, reliability: .partial(maxRetransmits: 2, ordered: false),
                                   label: "", protocol: "")
        XCTAssertTrue(SCTPAssociation.channelType(of: info) == (0x81, 2))
    }

    func testPPIDsForMessages() {
        // RFC 8831 §8.
        XCTAssertEqual(PayloadProtocolIdentifier.forMessage(binary: true, empty: false), 53)
        XCTAssertEqual(PayloadProtocolIdentifier.forMessage(binary: false, empty: false), 51)
        XCTAssertEqual(PayloadProtocolIdentifier.forMessage(binary: true, empty: true), 57)
        XCTAssertEqual(PayloadProtocolIdentifier.forMessage(binary: false, empty: true), 56)
    }
}
