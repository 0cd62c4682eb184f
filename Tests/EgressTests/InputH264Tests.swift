import XCTest
import RTP
@testable import Egress

final class InputH264Tests: XCTestCase {
    typealias P = H264TestPackets
    let sc: [UInt8] = [0, 0, 0, 1]

    func testSTAPAAndFUAToAnnexBByteExact() {
        var d = TrackDepacketizer(trackID: "cam", codec: .h264, clockRate: 90_000)
        let idr: [UInt8] = [0x65] + (0..<50).map { UInt8($0) }
        let fragments = P.fuA(nal: idr, parts: 3)
        XCTAssertEqual(fragments[0].prefix(2), [0x7C, 0x85])  // FU indicator NRI=3 type 28; S + type 5
        XCTAssertEqual(fragments[2][1], 0x45)                 // E + type 5
        var frames = d.push(rtp: P.packet(seq: 1, ts: 1000, marker: false, payload: P.stapA([P.sps, P.pps])), arrival: 0)
        for (i, f) in fragments.enumerated() {
            frames += d.push(rtp: P.packet(seq: UInt16(2 + i), ts: 1000, marker: i == 2, payload: f), arrival: 0)
        }
        XCTAssertEqual(frames.count, 1)
        XCTAssertEqual(frames.first?.data, sc + P.sps + sc + P.pps + sc + idr)
        XCTAssertEqual(frames.first?.isKeyframe, true)
        XCTAssertEqual(frames.first?.codec, .h264)
        XCTAssertFalse(d.needsKeyframe)

        // A single NAL unit packet (§5.6) non-IDR slice.
        let slice: [UInt8] = [0x41, 0x9A, 0x02, 0x03]
        frames = d.push(rtp: P.packet(seq: 5, ts: 4000, marker: true, payload: slice), arrival: 0.03)
        XCTAssertEqual(frames.first?.data, sc + slice)
        XCTAssertEqual(frames.first?.isKeyframe, false)
        XCTAssertEqual(frames.first?.timestamp ?? -1, 3000.0 / 90_000, accuracy: 1e-12)
        XCTAssertEqual(d.droppedPackets, 0)
    }

    func testFUAReorderedStillExact() {
        var d = TrackDepacketizer(trackID: "cam", codec: .h264, clockRate: 90_000)
        let idr: [UInt8] = [0x65] + (0..<99).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let f = P.fuA(nal: idr, parts: 4)
        let packets = [P.packet(seq: 10, ts: 0, marker: false, payload: P.stapA([P.sps, P.pps]))]
            + f.enumerated().map { P.packet(seq: UInt16(11 + $0.offset), ts: 0, marker: $0.offset == 3, payload: $0.element) }
        var frames: [EncodedFrame] = []
        for i in [0, 3, 1, 4, 2] { frames += d.push(rtp: packets[i], arrival: 0) }
        XCTAssertEqual(frames.map(\.data), [sc + P.sps + sc + P.pps + sc + idr])
    }

    func testLostFragmentDropsAccessUnitUntilKeyframe() {
        var d = TrackDepacketizer(trackID: "cam", codec: .h264, clockRate: 90_000)
        let key = [P.packet(seq: 0, ts: 0, marker: false, payload: P.stapA([P.sps, P.pps])),
                   P.packet(seq: 1, ts: 0, marker: true, payload: [0x65, 1, 2, 3])]
        XCTAssertEqual(key.flatMap { d.push(rtp: $0, arrival: 0) }.count, 1)
        let slice: [UInt8] = [0x41] + [UInt8](repeating: 9, count: 30)
        let f = P.fuA(nal: slice, parts: 3)
        _ = d.push(rtp: P.packet(seq: 2, ts: 3000, marker: false, payload: f[0]), arrival: 0.03)
        // seq 3 (middle fragment) lost
        _ = d.push(rtp: P.packet(seq: 4, ts: 3000, marker: true, payload: f[2]), arrival: 0.03)
        var frames = d.push(rtp: P.packet(seq: 5, ts: 6000, marker: true, payload: slice), arrival: 0.2)
        XCTAssertEqual(frames.count, 0)
        XCTAssertTrue(d.needsKeyframe)
        XCTAssertEqual(d.droppedFrames, 2)
        // An IDR without SPS right after the loss is not trusted; one with SPS/PPS is.
        frames = d.push(rtp: P.packet(seq: 6, ts: 9000, marker: true, payload: [0x65, 4, 5]), arrival: 0.23)
        XCTAssertEqual(frames.count, 1, "no loss just before it and SPS seen earlier: accepted")
        XCTAssertFalse(d.needsKeyframe)
    }

    func testIDRAfterLossNeedsSPSInAccessUnit() {
        var d = TrackDepacketizer(trackID: "cam", codec: .h264, clockRate: 90_000)
        _ = [P.packet(seq: 0, ts: 0, marker: false, payload: P.stapA([P.sps, P.pps])),
             P.packet(seq: 1, ts: 0, marker: true, payload: [0x65, 1])].flatMap { d.push(rtp: $0, arrival: 0) }
        // seq 2 lost; seq 3 is an IDR alone (its SPS/PPS may have been in seq 2).
        XCTAssertEqual(d.push(rtp: P.packet(seq: 3, ts: 3000, marker: true, payload: [0x65, 2]), arrival: 0.03).count, 0)
        XCTAssertEqual(d.push(rtp: P.packet(seq: 4, ts: 6000, marker: true, payload: [0x41, 2]), arrival: 0.2).count, 0)
        XCTAssertTrue(d.needsKeyframe)
        let frames = [P.packet(seq: 5, ts: 9000, marker: false, payload: P.stapA([P.sps, P.pps])),
                      P.packet(seq: 6, ts: 9000, marker: true, payload: [0x65, 3])].flatMap { d.push(rtp: $0, arrival: 0.25) }
        XCTAssertEqual(frames.map(\.data), [sc + P.sps + sc + P.pps + sc + [0x65, 3]])
        XCTAssertFalse(d.needsKeyframe)
    }

    func testMalformedH264PayloadsAreCounted() {
        var d = TrackDepacketizer(trackID: "cam", codec: .h264, clockRate: 90_000)
        // FU-A continuation without a start.
        _ = d.push(rtp: P.packet(seq: 0, ts: 0, marker: false, payload: [0x7C, 0x05, 1, 2]), arrival: 0)
        // STAP-A whose unit size runs past the end.
        _ = d.push(rtp: P.packet(seq: 1, ts: 0, marker: false, payload: [0x78, 0x00, 0x09, 0x67]), arrival: 0)
        // STAP-B (type 25) is interleaved mode only.
        _ = d.push(rtp: P.packet(seq: 2, ts: 0, marker: false, payload: [0x79, 0, 0]), arrival: 0)
        // Reserved type 0, and an FU-A without its FU header.
        _ = d.push(rtp: P.packet(seq: 3, ts: 0, marker: false, payload: [0x00, 1]), arrival: 0)
        let frames = d.push(rtp: P.packet(seq: 4, ts: 0, marker: true, payload: [0x7C]), arrival: 0)
        XCTAssertEqual(frames.count, 0)
        XCTAssertEqual(d.droppedPackets, 5)
    }

    func testDepacketizerUnitErrors() {
        var h = H264Depacketizer()
        var data: [UInt8] = []
        func run(_ bytes: [UInt8]) throws -> H264Depacketizer.Contents {
            try bytes.withUnsafeBytes { raw in try h.append(raw, to: &data) }
        }
        XCTAssertThrowsError(try run([])) { XCTAssertEqual($0 as? DepacketizationError, .truncatedDescriptor) }
        XCTAssertThrowsError(try run([0x78])) { XCTAssertEqual($0 as? DepacketizationError, .truncatedAggregate) }
        XCTAssertThrowsError(try run([0x78, 0x00, 0x00])) { XCTAssertEqual($0 as? DepacketizationError, .truncatedAggregate) }
        XCTAssertThrowsError(try run([0x7D, 0x85])) { XCTAssertEqual($0 as? DepacketizationError, .unsupportedNALType(29)) }
        XCTAssertEqual(try run([0x7C, 0x85, 1]).hasIDR, true)
        XCTAssertThrowsError(try run([0x7C, 0x85, 2])) { XCTAssertEqual($0 as? DepacketizationError, .fragmentOutOfOrder) }
    }
}
