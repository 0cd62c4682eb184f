import XCTest
@testable import ICE

/// RFC 5769 test vectors: parse, check every attribute, verify integrity and fingerprint, re-encode byte-exact.
final class RFC5769VectorTests: XCTestCase {
    let key = Array(RFC5769.password.utf8)

    func testSampleRequest() throws {
        let message = try STUNMessage.parse(RFC5769.request)
        XCTAssertEqual(message.messageClass, .request)
        XCTAssertEqual(message.method, .binding)
        XCTAssertEqual(message.transactionID, RFC5769.transactionID)
        XCTAssertEqual(message.attributes.count, 6)
        XCTAssertEqual(message.attributes[0], .software("STUN test client"))
        XCTAssertEqual(message.attributes[1], .priority(0x6e0001ff))
        XCTAssertEqual(message.attributes[2], .iceControlled(0x932ff9b151263b36))
        XCTAssertEqual(message.attributes[3], .username("evtj:h6vY"))
        XCTAssertEqual(message.attributes[4], .messageIntegrity(hexBytes("9a eaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2")))
        XCTAssertEqual(message.attributes[5], .fingerprint(0xe57a3bcf))
        XCTAssertEqual(message.username, "evtj:h6vY")
        XCTAssertEqual(message.software, "STUN test client")
        XCTAssertEqual(message.priority, 0x6e0001ff)
        XCTAssertEqual(message.iceControlled, 0x932ff9b151263b36)
        XCTAssertNil(message.iceControlling)
        XCTAssertFalse(message.useCandidate)
        XCTAssertEqual(message.paddingByte, 0x20)

        XCTAssertNoThrow(try STUNMessage.verifyIntegrity(RFC5769.request, key: key))
        XCTAssertThrowsError(try STUNMessage.verifyIntegrity(RFC5769.request, key: Array("wrong".utf8))) {
            XCTAssertEqual($0 as? STUNError, .badIntegrity)
        }
        XCTAssertEqual(message.encode(integrityKey: key, fingerprint: true), RFC5769.request)
    }

    func testSampleIPv4Response() throws {
        let message = try STUNMessage.parse(RFC5769.responseIPv4)
        XCTAssertEqual(message.messageClass, .successResponse)
        XCTAssertEqual(message.method, .binding)
        XCTAssertEqual(message.transactionID, RFC5769.transactionID)
        XCTAssertEqual(message.attributes.count, 4)
        XCTAssertEqual(message.software, "test vector")
        XCTAssertEqual(message.xorMappedAddress, TransportAddress(ip: [192, 0, 2, 1], port: 32853))
        XCTAssertEqual(message.xorMappedAddress?.description, "192.0.2.1:32853")
        XCTAssertEqual(message.messageIntegrity, hexBytes("2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7"))
        XCTAssertEqual(message.fingerprint, 0xc07d4c96)
        XCTAssertNoThrow(try STUNMessage.verifyIntegrity(RFC5769.responseIPv4, key: key))
        XCTAssertEqual(message.encode(integrityKey: key, fingerprint: true), RFC5769.responseIPv4)
    }

    func testSampleIPv6Response() throws {
        let message = try STUNMessage.parse(RFC5769.responseIPv6)
        XCTAssertEqual(message.messageClass, .successResponse)
        XCTAssertEqual(message.transactionID, RFC5769.transactionID)
        XCTAssertEqual(message.attributes.count, 4)
        XCTAssertEqual(message.software, "test vector")
        let expected = TransportAddress(string: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853)
        XCTAssertNotNil(expected)
        XCTAssertEqual(message.xorMappedAddress, expected)
        XCTAssertEqual(message.xorMappedAddress?.description, "[2001:db8:1234:5678:11:2233:4455:6677]:32853")
        XCTAssertEqual(message.fingerprint, 0xc8fb0b4c)
        XCTAssertNoThrow(try STUNMessage.verifyIntegrity(RFC5769.responseIPv6, key: key))
        XCTAssertEqual(message.encode(integrityKey: key, fingerprint: true), RFC5769.responseIPv6)
    }

    func testLongTermRequest() throws {
        let message = try STUNMessage.parse(RFC5769.longTermRequest)
        XCTAssertEqual(message.messageClass, .request)
        XCTAssertEqual(message.transactionID, hexBytes("78ad3433 c6ad72c0 29da412e"))
        XCTAssertEqual(message.attributes.count, 4)
        XCTAssertEqual(message.username, "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}")
        XCTAssertEqual(message.nonce, "f//499k954d6OL34oL9FSTvy64sA")
        XCTAssertEqual(message.realm, "example.org")
        XCTAssertNil(message.fingerprint)
        XCTAssertEqual(message.paddingByte, 0)
        // Password "The\u{00AD}M\u{00AA}tr\u{2168}x" after SASLprep is "TheMatrIX".
        let ltKey = STUNMessage.longTermKey(username: message.username!, realm: "example.org", password: "TheMatrIX")
        XCTAssertNoThrow(try STUNMessage.verifyIntegrity(RFC5769.longTermRequest, key: ltKey))
        XCTAssertEqual(message.encode(integrityKey: ltKey, fingerprint: false), RFC5769.longTermRequest)
    }

    func testCorruptedFingerprintIsRejected() {
        var bytes = RFC5769.request
        bytes[bytes.count - 1] ^= 0x01
        XCTAssertThrowsError(try STUNMessage.parse(bytes)) { XCTAssertEqual($0 as? STUNError, .badFingerprint) }
    }

    func testCorruptedBodyFailsIntegrityAndFingerprint() {
        var bytes = RFC5769.request
        bytes[30] ^= 0x01  // inside SOFTWARE
        XCTAssertThrowsError(try STUNMessage.parse(bytes)) { XCTAssertEqual($0 as? STUNError, .badFingerprint) }
        XCTAssertThrowsError(try STUNMessage.verifyIntegrity(bytes, key: key)) { XCTAssertEqual($0 as? STUNError, .badIntegrity) }
    }

    func testCRC32CheckValue() {
        // The standard CRC-32 check value for "123456789".
        let crc = Array("123456789".utf8).withUnsafeBytes { stunCRC32($0) }
        XCTAssertEqual(crc, 0xCBF4_3926)
    }
}
