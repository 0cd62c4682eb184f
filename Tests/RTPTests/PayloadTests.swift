import XCTest
@testable import RTP

final class PayloadTests: XCTestCase {
    private func vp8Key(_ b: [UInt8]) -> Bool { b.withUnsafeBytes { VP8Payload.isKeyframe($0) } }
    private func vp8Len(_ b: [UInt8]) -> Int? { b.withUnsafeBytes { VP8Payload.descriptorLength($0) } }
    private func h264Key(_ b: [UInt8]) -> Bool { b.withUnsafeBytes { H264Payload.isKeyframe($0) } }
    private func vp9Key(_ b: [UInt8]) -> Bool { b.withUnsafeBytes { VP9Payload.isKeyframe($0) } }

    func testVP8() {
        XCTAssertTrue(vp8Key([0x10, 0x00, 0x9D, 0x01, 0x2A]))  // S=1 PID=0, P=0
        XCTAssertFalse(vp8Key([0x10, 0x01]))  // inter frame (P=1)
        XCTAssertFalse(vp8Key([0x00, 0x00]))  // not start of partition
        XCTAssertFalse(vp8Key([0x11, 0x00]))  // partition 1
        XCTAssertFalse(vp8Key([0x10]))  // no payload header
        // X, I with 15-bit PictureID.
        XCTAssertEqual(vp8Len([0x90, 0x80, 0x81, 0x23, 0x00]), 4)
        XCTAssertTrue(vp8Key([0x90, 0x80, 0x81, 0x23, 0x00]))
        [UInt8]([0x90, 0x80, 0x81, 0x23, 0x00]).withUnsafeBytes { XCTAssertEqual(VP8Payload.pictureID($0), 0x0123) }
        // X, I (7-bit), L, T: descriptor 5 bytes; P=1 inter frame.
        XCTAssertEqual(vp8Len([0x90, 0xE0, 0x05, 0x07, 0x40, 0x9D]), 5)
        XCTAssertFalse(vp8Key([0x90, 0xE0, 0x05, 0x07, 0x40, 0x9D]))
        XCTAssertTrue(vp8Key([0x90, 0xE0, 0x05, 0x07, 0x40, 0x9C]))
        // Truncated descriptors.
        XCTAssertNil(vp8Len([]))
        XCTAssertNil(vp8Len([0x90]))
        XCTAssertNil(vp8Len([0x90, 0x80, 0x81]))
        XCTAssertEqual(vp8Len([0x10]), 1)
    }

    func testH264() {
        XCTAssertTrue(h264Key([0x65, 0x88]))  // IDR
        XCTAssertTrue(h264Key([0x67, 0x42]))  // SPS
        XCTAssertFalse(h264Key([0x41, 0x9A]))  // non-IDR slice
        XCTAssertFalse(h264Key([0x68, 0xCE]))  // PPS alone
        XCTAssertTrue(h264Key([0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE]))  // STAP-A SPS+PPS
        XCTAssertTrue(h264Key([0x78, 0x00, 0x01, 0x68, 0x00, 0x02, 0x65, 0x88]))  // STAP-A PPS+IDR
        XCTAssertFalse(h264Key([0x78, 0x00, 0x02, 0x41, 0x9A]))
        XCTAssertFalse(h264Key([0x78, 0x00, 0x09, 0x67]))  // truncated aggregation
        XCTAssertTrue(h264Key([0x7C, 0x85, 0x88]))  // FU-A start of IDR
        XCTAssertFalse(h264Key([0x7C, 0x05, 0x88]))  // FU-A continuation
        XCTAssertFalse(h264Key([0x7C, 0x81, 0x9A]))  // FU-A start of non-IDR
        XCTAssertFalse(h264Key([0x7C]))
        XCTAssertFalse(h264Key([]))
    }

    func testVP9() {
        XCTAssertTrue(vp9Key([0x08, 0x00]))  // B set, P clear
        XCTAssertFalse(vp9Key([0x48, 0x00]))  // P set
        XCTAssertFalse(vp9Key([0x00, 0x00]))  // not beginning of frame
        XCTAssertTrue(vp9Key([0xA8, 0x01, 0x00]))  // I (7-bit), L: SID 0
        XCTAssertFalse(vp9Key([0xA8, 0x01, 0x02]))  // SID 1
        XCTAssertTrue(vp9Key([0xA8, 0x81, 0x01, 0x00]))  // 15-bit PictureID, SID 0
        XCTAssertFalse(vp9Key([0xA8, 0x81]))  // truncated
        XCTAssertFalse(vp9Key([]))
    }
}
