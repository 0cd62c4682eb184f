import XCTest
@testable import ICE

final class STUNMessageTests: XCTestCase {
    func testMessageTypeBitsForAllClasses() {
        // RFC 8489 §5/§6: Binding request 0x0001, indication 0x0011, success 0x0101, error 0x0111.
        XCTAssertEqual(STUNMessageType.encode(method: .binding, messageClass: .request), 0x0001)
        XCTAssertEqual(STUNMessageType.encode(method: .binding, messageClass: .indication), 0x0011)
        XCTAssertEqual(STUNMessageType.encode(method: .binding, messageClass: .successResponse), 0x0101)
        XCTAssertEqual(STUNMessageType.encode(method: .binding, messageClass: .errorResponse), 0x0111)
        for raw in [UInt16(0x001), 0x003, 0x07F, 0x0F0, 0xFFF] {
            for cls in [STUNClass.request, .indication, .successResponse, .errorResponse] {
                let type = STUNMessageType.encode(method: STUNMethod(rawValue: raw), messageClass: cls)
                XCTAssertEqual(type & 0xC000, 0)
                let decoded = STUNMessageType.decode(type)
                XCTAssertEqual(decoded.method.rawValue, raw)
                XCTAssertEqual(decoded.messageClass, cls)
            }
        }
    }

    func testRoundTripAllAttributeKinds() throws {
        let id = STUNMessage.randomTransactionID()
        XCTAssertEqual(id.count, 12)
        let message = STUNMessage(messageClass: .errorResponse, method: .binding, transactionID: id, attributes: [
            .username("abcd:efgh"),
            .xorMappedAddress(TransportAddress(string: "10.1.2.3", port: 5000)!),
            .xorMappedAddress(TransportAddress(string: "fe80::1:2", port: 9)!),
            .mappedAddress(TransportAddress(string: "::1", port: 1)!),
            .mappedAddress(TransportAddress(ip: [1, 2, 3, 4], port: 65535)),
            .priority(0x7e00_ffff),
            .useCandidate,
            .iceControlling(0x0102_0304_0506_0708),
            .iceControlled(UInt64.max),
            .errorCode(code: 487, reason: "Role Conflict"),
            .software("x"),
            .realm("r"),
            .nonce("n0"),
            .unknown(type: 0xC001, value: [1, 2, 3]),
        ])
        let key = Array("secretsecretsecretsecret".utf8)
        let bytes = message.encode(integrityKey: key, fingerprint: true)
        XCTAssertEqual(bytes.count % 4, 0)
        XCTAssertTrue(bytes.withUnsafeBytes { STUNMessage.isSTUN($0) })
        let parsed = try STUNMessage.parse(bytes)
        XCTAssertEqual(Array(parsed.attributes.dropLast(2)), message.attributes)
        XCTAssertNotNil(parsed.messageIntegrity)
        XCTAssertNotNil(parsed.fingerprint)
        XCTAssertEqual(parsed.errorCode, STUNErrorCode(code: 487, reason: "Role Conflict"))
        XCTAssertEqual(parsed.iceControlling, 0x0102_0304_0506_0708)
        XCTAssertTrue(parsed.useCandidate)
        XCTAssertNoThrow(try STUNMessage.verifyIntegrity(bytes, key: key))
        // Re-encoding the parsed message is byte-exact.
        XCTAssertEqual(parsed.encode(integrityKey: key, fingerprint: true), bytes)
    }

    func testEncodeWithoutIntegrityOrFingerprint() throws {
        let message = STUNMessage(messageClass: .request, transactionID: Array(repeating: 7, count: 12))
        let bytes = message.encode(integrityKey: nil, fingerprint: false)
        XCTAssertEqual(bytes, [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42] + Array(repeating: 7, count: 12))
        XCTAssertThrowsError(try STUNMessage.verifyIntegrity(bytes, key: [1])) { XCTAssertEqual($0 as? STUNError, .missingIntegrity) }
        XCTAssertEqual(try STUNMessage.parse(bytes), message)
    }

    func testHeaderErrors() {
        XCTAssertThrowsError(try STUNMessage.parse([])) { XCTAssertEqual($0 as? STUNError, .tooShort) }
        XCTAssertThrowsError(try STUNMessage.parse(Array(RFC5769.request.prefix(19)))) { XCTAssertEqual($0 as? STUNError, .tooShort) }
        var bytes = RFC5769.request
        bytes[0] |= 0x80
        XCTAssertThrowsError(try STUNMessage.parse(bytes)) { XCTAssertEqual($0 as? STUNError, .notSTUN) }
        bytes = RFC5769.request
        bytes[5] = 0
        XCTAssertThrowsError(try STUNMessage.parse(bytes)) { XCTAssertEqual($0 as? STUNError, .notSTUN) }
        // Truncated datagram: header length no longer matches.
        XCTAssertThrowsError(try STUNMessage.parse(Array(RFC5769.request.dropLast(4)))) { XCTAssertEqual($0 as? STUNError, .badLength) }
        bytes = RFC5769.request
        bytes[3] = 0x57  // not a multiple of 4
        XCTAssertThrowsError(try STUNMessage.parse(bytes)) { XCTAssertEqual($0 as? STUNError, .badLength) }
    }

    func testAttributeErrors() {
        func message(_ attribute: [UInt8]) -> [UInt8] {
            let length = attribute.count
            return [0x00, 0x01, UInt8(length >> 8), UInt8(length & 0xFF), 0x21, 0x12, 0xA4, 0x42] + Array(repeating: 1, count: 12) + attribute
        }
        // Value length overruns the message.
        XCTAssertThrowsError(try STUNMessage.parse(message([0x00, 0x06, 0x00, 0x08, 0x61, 0x62, 0x63, 0x64]))) { XCTAssertEqual($0 as? STUNError, .badAttribute) }
        // PRIORITY with 2 bytes.
        XCTAssertThrowsError(try STUNMessage.parse(message([0x00, 0x24, 0x00, 0x02, 0, 1, 0, 0]))) { XCTAssertEqual($0 as? STUNError, .badAttribute) }
        // XOR-MAPPED-ADDRESS with bad family.
        XCTAssertThrowsError(try STUNMessage.parse(message([0x00, 0x20, 0x00, 0x08, 0, 3, 0, 0, 1, 2, 3, 4]))) { XCTAssertEqual($0 as? STUNError, .badAttribute) }
        // USERNAME that is not UTF-8.
        XCTAssertThrowsError(try STUNMessage.parse(message([0x00, 0x06, 0x00, 0x02, 0xC3, 0x28, 0, 0]))) { XCTAssertEqual($0 as? STUNError, .badAttribute) }
        // FINGERPRINT not last.
        XCTAssertThrowsError(try STUNMessage.parse(message([0x80, 0x28, 0x00, 0x04, 0, 0, 0, 0, 0x00, 0x25, 0x00, 0x00]))) { XCTAssertEqual($0 as? STUNError, .badFingerprint) }
        // Unknown comprehension-optional attribute is kept.
        XCTAssertEqual(try STUNMessage.parse(message([0x80, 0x55, 0x00, 0x01, 9, 0, 0, 0])).attributes, [.unknown(type: 0x8055, value: [9])])
    }

    func testAttributesAfterIntegrityAreIgnored() throws {
        // RFC 8489 §14.5: everything but FINGERPRINT after MESSAGE-INTEGRITY is ignored.
        let key = Array("pw".utf8)
        var bytes = STUNMessage(messageClass: .request, transactionID: Array(repeating: 3, count: 12), attributes: [.username("a:b")])
            .encode(integrityKey: key, fingerprint: false)
        bytes += [0x00, 0x25, 0x00, 0x00]  // USE-CANDIDATE after MI
        let length = bytes.count - 20
        bytes[2] = UInt8(length >> 8)
        bytes[3] = UInt8(length & 0xFF)
        let parsed = try STUNMessage.parse(bytes)
        XCTAssertFalse(parsed.useCandidate)
        XCTAssertEqual(parsed.username, "a:b")
        XCTAssertNoThrow(try STUNMessage.verifyIntegrity(bytes, key: key))
    }

    func testIsSTUN() {
        XCTAssertTrue(RFC5769.request.withUnsafeBytes { STUNMessage.isSTUN($0) })
        XCTAssertFalse([UInt8](repeating: 0, count: 20).withUnsafeBytes { STUNMessage.isSTUN($0) })
        XCTAssertFalse(Array(RFC5769.request.prefix(10)).withUnsafeBytes { STUNMessage.isSTUN($0) })
    }
}
