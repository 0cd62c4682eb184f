import XCTest
import ICE

final class TransportAddressTests: XCTestCase {
    func testParseAndFormat() {
        let v4 = TransportAddress(string: "127.0.0.1", port: 7882)
        XCTAssertEqual(v4?.ip, [127, 0, 0, 1])
        XCTAssertEqual(v4?.isIPv4, true)
        XCTAssertEqual(v4?.description, "127.0.0.1:7882")
        let v6 = TransportAddress(string: "::1", port: 1)
        XCTAssertEqual(v6?.ip, Array(repeating: 0, count: 15) + [1])
        XCTAssertEqual(v6?.isIPv4, false)
        XCTAssertEqual(v6?.ipString, "::1")
        XCTAssertEqual(v6?.description, "[::1]:1")
        XCTAssertEqual(TransportAddress(string: "[2001:DB8::A]", port: 2)?.ipString, "2001:db8::a")
        XCTAssertEqual(TransportAddress(string: "::ffff:1.2.3.4", port: 2)?.ip.suffix(4), [1, 2, 3, 4])
    }

    func testRejectsGarbage() {
        for text in ["", "1.2.3", "256.1.1.1", "localhost", "1.2.3.4.5", ":::", "fe80::1%eth0", "[::1", "1.2.3.4 "] {
            XCTAssertNil(TransportAddress(string: text, port: 1), text)
        }
    }
}
