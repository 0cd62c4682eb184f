import XCTest
@testable import DataChannel

final class DCEPMessageTests: XCTestCase {
    /// RFC 8832 §5.1 layout for LiveKit's reliable channel, built by hand.
    func testOpenForReliableLabelIsByteExact() {
        let open = DCEPMessage.open(channelType: 0x00, priority: 256, reliabilityParameter: 0,
                                    label: "_reliable", protocol: "")
        let expected: [UInt8] = [
            0x03,             // Message Type: DATA_CHANNEL_OPEN
            0x00,             // Channel Type: DATA_CHANNEL_RELIABLE
            0x01, 0x00,       // Priority 256
            0x00, 0x00, 0x00, 0x00, // Reliability Parameter
            0x00, 0x09,       // Label Length
            0x00, 0x00,       // Protocol Length
        ] + Array("_reliable".utf8)
        XCTAssertEqual(open.serialize(), expected)
    }

    func testOpenWithProtocolAndReliabilityParameterIsByteExact() {
        let open = DCEPMessage.open(channelType: 0x81, priority: 0x0102, reliabilityParameter: 0x0A0B0C0D,
                                    label: "ab", protocol: "xyz")
        XCTAssertEqual(open.serialize(), [0x03, 0x81, 0x01, 0x02, 0x0A, 0x0B, 0x0C, 0x0D, 0x00, 0x02, 0x00, 0x03,
                                          0x61, 0x62, 0x78, 0x79, 0x7A])
    }

    func testAckIsOneByte() throws {
        XCTAssertEqual(DCEPMessage.ack.serialize(), [0x02])
        XCTAssertEqual(try DCEPMessage.parse([0x02]), .ack)
    }

    func testRoundTrip() throws {
        let messages: [DCEPMessage] = [
            .ack,
            .open(channelType: 0x00, priority: 256, reliabilityParameter: 0, label: "_reliable", protocol: ""),
            .open(channelType: 0x81, priority: 128, reliabilityParameter: 0, label: "_lossy", protocol: ""),
            .open(channelType: 0x02, priority: 512, reliabilityParameter: 3000, label: "", protocol: "json"),
            .open(channelType: 0x82, priority: 0, reliabilityParameter: UInt32.max, label: "ünïcødé 📡", protocol: "σ"),
        ]
        for message in messages {
            XCTAssertEqual(try DCEPMessage.parse(message.serialize()), message)
        }
    }

    func testRejectsBadInput() {
        XCTAssertThrowsError(try DCEPMessage.parse([])) { XCTAssertEqual($0 as? DCEPError, .empty) }
        XCTAssertThrowsError(try DCEPMessage.parse([0x07])) {
            XCTAssertEqual($0 as? DCEPError, .unknownMessageType(0x07))
        }
        XCTAssertThrowsError(try DCEPMessage.parse([0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0])) {
            XCTAssertEqual($0 as? DCEPError, .truncated)
        }
        // Label length 5 but only 4 bytes follow.
        XCTAssertThrowsError(try DCEPMessage.parse([0x03, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0x61, 0x62, 0x63, 0x64])) {
            XCTAssertEqual($0 as? DCEPError, .truncated)
        }
        // Protocol length overflows past the end.
        XCTAssertThrowsError(try DCEPMessage.parse([0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF])) {
            XCTAssertEqual($0 as? DCEPError, .truncated)
        }
        // 0xC3 0x28 is not UTF-8.
        XCTAssertThrowsError(try DCEPMessage.parse([0x03, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0xC3, 0x28])) {
            XCTAssertEqual($0 as? DCEPError, .invalidUTF8)
        }
    }

    func testEveryTruncationOfAnOpenThrows() {
        let bytes = DCEPMessage.open(channelType: 1, priority: 2, reliabilityParameter: 3,
                                     label: "label", protocol: "proto").serialize()
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try DCEPMessage.parse(Array(bytes.prefix(length))), "length \(length)")
        }
    }

    /// Random and mutated inputs must throw or parse, never trap; what parses re-serializes.
    func testFuzzNeverCrashes() {
        var random = TestRandom(state: 0xDCE9)
        let seed = DCEPMessage.open(channelType: 0x81, priority: 256, reliabilityParameter: 7,
                                    label: "_lossy", protocol: "").serialize()
        for round in 0..<5000 {
            var input: [UInt8]
            if round % 2 == 0 {
                input = random.bytes(Int(random.next() % 40))
                if !input.isEmpty { input[0] = [0x02, 0x03, UInt8(truncatingIfNeeded: random.next())][round % 3] }
            } else {
                input = seed
                for _ in 0..<(1 + random.next() % 3) {
                    input[Int(random.next() % UInt64(input.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            if let message = try? DCEPMessage.parse(input), case .open = message {
                XCTAssertEqual(try? DCEPMessage.parse(message.serialize()), message)
            }
        }
    }
}
