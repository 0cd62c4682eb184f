import XCTest
@testable import DataChannel

final class SCTPAssociationTests: XCTestCase {
    func testAssociationEstablishes() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        try pair.startAndEstablish()
        XCTAssertFalse(pair.clientLog.closed)
        XCTAssertFalse(pair.serverLog.closed)
    }

    func testChannelOpenedByClientAppearsAtServer() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        try pair.startAndEstablish()
        let reliable = try pair.client.openChannel(label: "_reliable", reliability: .reliable)
        let lossy = try pair.client.openChannel(label: "_lossy", reliability: .unordered, protocol: "p")
        // RFC 8832 §6: the DTLS client uses even stream identifiers.
        XCTAssertEqual(reliable, 0)
        XCTAssertEqual(lossy, 2)
        waitUntil("two channels at server") { pair.serverLog.opened.count == 2 }
        let opened = pair.serverLog.opened.sorted { $0.streamID < $1.streamID }
        XCTAssertEqual(opened.first, DataChannelInfo(streamID: 0, label: "_reliable", protocol: "", ordered: true))
        XCTAssertEqual(opened.last, DataChannelInfo(streamID: 2, label: "_lossy", protocol: "p", ordered: false,
                                                     maxRetransmits: 0))
        // The opener does not get channelOpened for its own channels.
        XCTAssertTrue(pair.clientLog.opened.isEmpty)
    }

    func testChannelOpenedByServerUsesOddStreams() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        try pair.startAndEstablish()
        let id = try pair.server.openChannel(label: "from-server",
                                             reliability: .partial(maxRetransmits: 3, ordered: true))
        XCTAssertEqual(id, 1)
        waitUntil("channel at client") { pair.clientLog.opened.count == 1 }
        XCTAssertEqual(pair.clientLog.opened.first,
                       DataChannelInfo(streamID: 1, label: "from-server", protocol: "", ordered: true, maxRetransmits: 3))
    }

    func testMessagesArriveWholeInBothDirections() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        try pair.startAndEstablish()
        let stream = try pair.client.openChannel(label: "_reliable", reliability: .reliable)
        waitUntil("channel at server") { pair.serverLog.opened.count == 1 }
        var random = TestRandom(state: 0x5EED)
        let sizes = [1, 1200, 64000]
        let payloads = sizes.map { random.bytes($0) }
        for payload in payloads {
            try pair.client.send(streamID: stream, data: payload)
            try pair.server.send(streamID: stream, data: payload)
        }
        waitUntil("all messages") {
            pair.serverLog.messages(on: stream).count == 3 && pair.clientLog.messages(on: stream).count == 3
        }
        for log in [pair.serverLog, pair.clientLog] {
            let received = log.messages(on: stream)
            XCTAssertEqual(received.map(\.data.count), sizes)
            XCTAssertEqual(received.map(\.data), payloads)
            XCTAssertTrue(received.allSatisfy(\.binary))
        }
    }

    func testMaximumSizeMessageIsReassembled() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        try pair.startAndEstablish()
        let stream = try pair.server.openChannel(label: "big", reliability: .reliable)
        var random = TestRandom(state: 42)
        let payload = random.bytes(pair.server.maxMessageSize)
        try pair.server.send(streamID: stream, data: payload)
        waitUntil("big message") { pair.clientLog.messages(on: stream).count == 1 }
        XCTAssertEqual(pair.clientLog.messages(on: stream).first?.data, payload)
    }

    func testStringAndEmptyMessagesKeepTheirKind() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        try pair.startAndEstablish()
        let stream = try pair.client.openChannel(label: "chat", reliability: .reliable)
        try pair.client.send(streamID: stream, data: Array("hello".utf8), binary: false)
        try pair.client.send(streamID: stream, data: [], binary: false)
        try pair.client.send(streamID: stream, data: [], binary: true)
        waitUntil("three messages") { pair.serverLog.messages(on: stream).count == 3 }
        let received = pair.serverLog.messages(on: stream)
        XCTAssertEqual(received.map(\.binary), [false, false, true])
        XCTAssertEqual(received.map(\.data), [Array("hello".utf8), [], []])
    }

    func testUnorderedChannelDeliversMessages() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        try pair.startAndEstablish()
        let stream = try pair.client.openChannel(label: "_lossy", reliability: .unordered)
        waitUntil("channel at server") { pair.serverLog.opened.count == 1 }
        XCTAssertEqual(pair.serverLog.opened.first?.ordered, false)
        let count = 40
        for index in 0..<count {
            try pair.client.send(streamID: stream, data: [UInt8(index), 0xAB])
            try pair.server.send(streamID: stream, data: [UInt8(index), 0xCD])
        }
        // The in-process link never drops, so even maxRetransmits=0 delivers everything.
        waitUntil("unordered messages") {
            pair.serverLog.messages(on: stream).count == count && pair.clientLog.messages(on: stream).count == count
        }
        XCTAssertEqual(Set(pair.serverLog.messages(on: stream).map(\.data)),
                       Set((0..<count).map { [UInt8($0), 0xAB] }))
        XCTAssertEqual(Set(pair.clientLog.messages(on: stream).map(\.data)),
                       Set((0..<count).map { [UInt8($0), 0xCD] }))
    }

    func testChannelOpenedBeforeEstablishmentIsAnnouncedOnCommUp() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        let stream = try pair.client.openChannel(label: "early", reliability: .reliable)
        try pair.client.start()
        try pair.server.start()
        waitUntil("early channel at server") { pair.serverLog.opened.count == 1 }
        XCTAssertEqual(pair.serverLog.opened.first?.label, "early")
        XCTAssertEqual(pair.serverLog.opened.first?.streamID, stream)
    }

    func testSendErrors() throws {
        let pair = AssociationPair(maxMessageSize: 1000)
        defer { pair.close() }
        let stream = try pair.client.openChannel(label: "x", reliability: .reliable)
        XCTAssertThrowsError(try pair.client.send(streamID: stream, data: [1])) { error in
            XCTAssertEqual(error as? DataChannelError, .sctp("association not established"))
        }
        try pair.startAndEstablish()
        XCTAssertThrowsError(try pair.client.send(streamID: stream, data: [UInt8](repeating: 0, count: 1001))) { error in
            XCTAssertEqual(error as? DataChannelError, .tooLarge)
        }
        XCTAssertThrowsError(try pair.client.send(streamID: 40, data: [1])) { error in
            XCTAssertEqual(error as? DataChannelError, .unknownChannel)
        }
        XCTAssertNoThrow(try pair.client.send(streamID: stream, data: [UInt8](repeating: 7, count: 1000)))
    }

    func testCloseChannelResetsStreamsOnBothSides() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        try pair.startAndEstablish()
        let stream = try pair.client.openChannel(label: "temp", reliability: .reliable)
        waitUntil("channel at server") { pair.serverLog.opened.count == 1 }
        try pair.client.closeChannel(streamID: stream)
        waitUntil("channel closed on both sides") {
            pair.clientLog.closedChannels == [stream] && pair.serverLog.closedChannels == [stream]
        }
        XCTAssertThrowsError(try pair.client.send(streamID: stream, data: [1])) { error in
            XCTAssertEqual(error as? DataChannelError, .unknownChannel)
        }
        // The stream can be reused by a new channel.
        let again = try pair.client.openChannel(label: "again", reliability: .reliable)
        waitUntil("reopened") { pair.serverLog.opened.count == 2 }
        try pair.client.send(streamID: again, data: [9])
        waitUntil("message on reopened channel") { pair.serverLog.messages(on: again).count == 1 }
    }

    func testCloseAbortsThePeer() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        try pair.startAndEstablish()
        let stream = try pair.client.openChannel(label: "x", reliability: .reliable)
        pair.client.close()
        XCTAssertTrue(pair.clientLog.closed)
        waitUntil("peer sees the abort") { pair.serverLog.closed }
        XCTAssertThrowsError(try pair.client.send(streamID: stream, data: [1])) { error in
            XCTAssertEqual(error as? DataChannelError, .closed)
        }
        XCTAssertThrowsError(try pair.server.send(streamID: stream, data: [1])) { error in
            XCTAssertEqual(error as? DataChannelError, .closed)
        }
        XCTAssertThrowsError(try pair.client.start())
        pair.client.close()  // idempotent
        XCTAssertEqual(pair.clientLog.all.filter { if case .associationClosed = $0 { return true }; return false }.count, 1)
    }

    func testGarbagePacketsDoNotCrashOrBreakTheAssociation() throws {
        let pair = AssociationPair()
        defer { pair.close() }
        try pair.startAndEstablish()
        let stream = try pair.client.openChannel(label: "_reliable", reliability: .reliable)
        waitUntil("channel at server") { pair.serverLog.opened.count == 1 }
        var random = TestRandom(state: 0xBAD5EED)
        let real = pair.toServer.packets
        for round in 0..<400 {
            var packet: [UInt8]
            if round % 2 == 0 || real.isEmpty {
                packet = random.bytes(Int(random.next() % 1500))
            } else {
                // A real packet, truncated and/or with a flipped byte.
                packet = real[Int(random.next() % UInt64(real.count))]
                packet = Array(packet.prefix(Int(random.next() % UInt64(packet.count + 1))))
                if !packet.isEmpty {
                    packet[Int(random.next() % UInt64(packet.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
                }
            }
            pair.server.receive(sctpPacket: packet)
        }
        pair.server.receive(sctpPacket: [])
        try pair.client.send(streamID: stream, data: [1, 2, 3])
        waitUntil("message after garbage") { pair.serverLog.messages(on: stream).count == 1 }
        XCTAssertFalse(pair.serverLog.closed)
    }
}
