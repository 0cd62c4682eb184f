import XCTest
import ICE

final class PacketDemuxTests: XCTestCase {
    private func kind(_ bytes: [UInt8]) -> PacketKind { bytes.withUnsafeBytes { classifyPacket($0) } }

    func testFirstByteRanges() {
        // RFC 7983 §7.
        XCTAssertEqual(kind([]), .unknown)
        XCTAssertEqual(kind([0]), .stun)
        XCTAssertEqual(kind([3]), .stun)
        XCTAssertEqual(kind([4]), .unknown)
        XCTAssertEqual(kind([16]), .unknown)  // ZRTP
        XCTAssertEqual(kind([19]), .unknown)
        XCTAssertEqual(kind([20]), .dtls)
        XCTAssertEqual(kind([22, 0xfe, 0xfd]), .dtls)
        XCTAssertEqual(kind([63]), .dtls)
        XCTAssertEqual(kind([64]), .unknown)  // TURN channel
        XCTAssertEqual(kind([79]), .unknown)
        XCTAssertEqual(kind([127, 0]), .unknown)
        XCTAssertEqual(kind([192, 0]), .unknown)
        XCTAssertEqual(kind([255, 0]), .unknown)
    }

    func testRTPVersusRTCP() {
        // RFC 5761 §4: second byte 192...223 is RTCP.
        XCTAssertEqual(kind([128]), .unknown)  // too short to tell
        XCTAssertEqual(kind([0x80, 96]), .rtp)
        XCTAssertEqual(kind([0x80, 0x80 | 111]), .rtp)  // marker bit + PT 111
        XCTAssertEqual(kind([0x80, 191]), .rtp)
        XCTAssertEqual(kind([0x80, 192]), .rtcp)  // FIR
        XCTAssertEqual(kind([0x81, 200]), .rtcp)  // SR
        XCTAssertEqual(kind([0x8f, 206]), .rtcp)  // PSFB
        XCTAssertEqual(kind([0xbf, 223]), .rtcp)
        XCTAssertEqual(kind([0x80, 224]), .rtp)
        XCTAssertEqual(kind([191, 200]), .rtcp)
    }

    func testSTUNVectorClassifiesAsSTUN() {
        XCTAssertEqual(kind(RFC5769.request), .stun)
        XCTAssertEqual(kind(RFC5769.responseIPv4), .stun)
    }
}
