import XCTest
import SDP
@testable import SFU

final class PayloadFormatTests: XCTestCase {
    func testMatchingIgnoresCaseAndPayloadType() {
        let a = PayloadFormat(Codec(payloadType: 96, name: "VP8", clockRate: 90000, channels: nil, fmtp: nil, feedback: []))
        let b = PayloadFormat(Codec(payloadType: 120, name: "vp8", clockRate: 90000, channels: nil, fmtp: nil, feedback: []))
        XCTAssertTrue(a.matches(b))
        let h264 = PayloadFormat(Codec(payloadType: 102, name: "H264", clockRate: 90000, channels: nil, fmtp: "packetization-mode=1;profile-level-id=42e01f", feedback: []))
        let h264Mode0 = PayloadFormat(Codec(payloadType: 103, name: "H264", clockRate: 90000, channels: nil, fmtp: "profile-level-id=42e01f", feedback: []))
        XCTAssertFalse(h264.matches(h264Mode0))
        XCTAssertFalse(a.matches(h264))
    }

    func testRTXKnowsItsAssociatedType() {
        let rtx = PayloadFormat(Codec(payloadType: 97, name: "rtx", clockRate: 90000, channels: nil, fmtp: "apt=96", feedback: []))
        XCTAssertEqual(rtx.family, .rtx)
        XCTAssertEqual(rtx.associatedPayloadType, 96)
    }
}
