import XCTest
@testable import ICE

/// The address is stored inline: the same value from an array, from raw bytes or from text,
/// equal and hashed alike, and the bytes come back unchanged.
final class TransportAddressStorageTests: XCTestCase {
    func testIPv4FromEveryInitializerIsOneValue() throws {
        let fromText = try XCTUnwrap(TransportAddress(string: "192.0.2.7", port: 5000))
        let fromArray = TransportAddress(ip: [192, 0, 2, 7], port: 5000)
        let bytes: [UInt8] = [192, 0, 2, 7]
        let fromRaw = bytes.withUnsafeBytes { TransportAddress(bytes: $0, port: 5000) }
        XCTAssertEqual(fromText, fromArray)
        XCTAssertEqual(fromRaw, fromArray)
        XCTAssertEqual(fromRaw.hashValue, fromArray.hashValue)
        XCTAssertEqual(fromRaw.ip, [192, 0, 2, 7])
        XCTAssertTrue(fromRaw.isIPv4)
        XCTAssertEqual(fromRaw.description, "192.0.2.7:5000")
    }

    func testIPv6KeepsAllSixteenBytes() throws {
        let address = try XCTUnwrap(TransportAddress(string: "2001:db8::1:ff", port: 9))
        XCTAssertEqual(address.ip, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0xff])
        XCTAssertFalse(address.isIPv4)
        XCTAssertEqual(address.description, "[2001:db8::1:ff]:9")
    }

    func testDifferentPortsFamiliesAndBytesDiffer() {
        let a = TransportAddress(ip: [10, 0, 0, 1], port: 1)
        XCTAssertNotEqual(a, TransportAddress(ip: [10, 0, 0, 1], port: 2))
        XCTAssertNotEqual(a, TransportAddress(ip: [10, 0, 0, 2], port: 1))
        // ::a00:1 has the same leading bytes after zero-fill only if the lengths matched: they do not.
        var v6 = [UInt8](repeating: 0, count: 16)
        v6[0...3] = [10, 0, 0, 1]
        XCTAssertNotEqual(a, TransportAddress(ip: v6, port: 1))
        let table: [TransportAddress: Int] = [a: 1, TransportAddress(ip: v6, port: 1): 2]
        XCTAssertEqual(table[TransportAddress(ip: [10, 0, 0, 1], port: 1)], 1)
    }
}
