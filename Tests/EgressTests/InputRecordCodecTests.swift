import XCTest
@testable import Egress

final class InputRecordCodecTests: XCTestCase {
    let all: [EgressRecord] = [
        .trackAdded(trackID: "TR_VCabc", participant: "alice ü", kind: .video, codec: .vp8, clockRate: 90_000),
        .trackAdded(trackID: "TR_A", participant: "", kind: .audio, codec: .opus, clockRate: 48_000),
        .trackAdded(trackID: "TR_H", participant: "bob", kind: .video, codec: .h264, clockRate: 90_000),
        .trackAdded(trackID: "x", participant: "y", kind: .video, codec: .vp9, clockRate: 1),
        .trackAdded(trackID: "x", participant: "y", kind: .video, codec: .av1, clockRate: UInt32.max),
        .rtp(trackID: "TR_A", arrival: 1_700_000_000.123456, packet: [0x80, 0x6F, 0, 1, 0, 0, 3, 0xC0, 0, 0, 0, 7, 0xFC]),
        .rtp(trackID: "", arrival: -0.5, packet: []),
        .trackRemoved(trackID: "TR_VCabc"),
        .trackMuted(trackID: "TR_A", muted: true),
        .trackMuted(trackID: "TR_A", muted: false),
        .finish,
    ]

    func decodeAll(_ bytes: [UInt8], chunk: Int) throws -> [EgressRecord] {
        var decoder = EgressRecordCodec.Decoder()
        var out: [EgressRecord] = []
        var i = 0
        while i < bytes.count {
            decoder.append(Array(bytes[i..<min(bytes.count, i + chunk)]))
            i += chunk
            while let r = try decoder.next() { out.append(r) }
        }
        return out
    }

    func testEveryRecordRoundTrips() throws {
        for record in all {
            XCTAssertEqual(try decodeAll(EgressRecordCodec.encode(record), chunk: 1 << 20), [record])
        }
    }

    /// The media loop's batched form is byte for byte what `encode` gives, several per batch.
    func testAppendedRTPMatchesEncode() throws {
        var batch: [UInt8] = [0xAA]
        var expected: [UInt8] = [0xAA]
        let cases: [(String, Double, [UInt8])] = [("TR_A", 1_700_000_000.25, [0x80, 0x6F, 0, 1, 9, 9]), ("", -0.5, []),
                                                  ("TR_ü", 3, Array(repeating: 7, count: 1200))]
        for (trackID, arrival, packet) in cases {
            packet.withUnsafeBytes { EgressRecordCodec.appendRTP(trackID: trackID, arrival: arrival, packet: $0, to: &batch) }
            expected += EgressRecordCodec.encode(.rtp(trackID: trackID, arrival: arrival, packet: packet))
        }
        XCTAssertEqual(batch, expected)
        XCTAssertEqual(try decodeAll(Array(batch.dropFirst()), chunk: 100), cases.map { .rtp(trackID: $0.0, arrival: $0.1, packet: $0.2) })
    }

    func testWireLayoutIsExact() {
        XCTAssertEqual(EgressRecordCodec.encode(.finish), [0, 0, 0, 1, 5])
        XCTAssertEqual(EgressRecordCodec.encode(.trackRemoved(trackID: "ab")), [0, 0, 0, 5, 3, 0, 2, 0x61, 0x62])
        XCTAssertEqual(EgressRecordCodec.encode(.trackMuted(trackID: "a", muted: true)), [0, 0, 0, 5, 4, 0, 1, 0x61, 1])
        XCTAssertEqual(EgressRecordCodec.encode(.trackAdded(trackID: "t", participant: "p", kind: .video, codec: .h264,
                                                            clockRate: 90_000)),
                       [0, 0, 0, 13, 1, 0, 1, 0x74, 0, 1, 0x70, 1, 2, 0x00, 0x01, 0x5F, 0x90])
        XCTAssertEqual(EgressRecordCodec.encode(.rtp(trackID: "t", arrival: 1.0, packet: [9, 8])),
                       [0, 0, 0, 14, 2, 0, 1, 0x74, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 9, 8])
    }

    func testChunkedDecodingAtEveryOffset() throws {
        let stream = all.flatMap { EgressRecordCodec.encode($0) }
        // Two chunks split at every byte offset.
        for split in 0...stream.count {
            var decoder = EgressRecordCodec.Decoder()
            var out: [EgressRecord] = []
            decoder.append(Array(stream[0..<split]))
            while let r = try decoder.next() { out.append(r) }
            decoder.append(Array(stream[split...]))
            while let r = try decoder.next() { out.append(r) }
            XCTAssertEqual(out, all, "split at \(split)")
            XCTAssertEqual(decoder.bufferedByteCount, 0)
        }
        for chunk in [1, 2, 3, 7, 64] { XCTAssertEqual(try decodeAll(stream, chunk: chunk), all) }
    }

    func testMalformedRecordsThrowTypedErrors() {
        func error(_ bytes: [UInt8], max: Int = 1 << 20) -> EgressRecordError? {
            var d = EgressRecordCodec.Decoder(maxRecordSize: max)
            d.append(bytes)
            do { _ = try d.next(); return nil } catch { return error as? EgressRecordError }
        }
        XCTAssertEqual(error([0, 0, 0, 0]), .emptyRecord)
        XCTAssertEqual(error([0x7F, 0xFF, 0xFF, 0xFF]), .oversize(length: 0x7FFF_FFFF))
        XCTAssertEqual(error([0, 0, 0, 9, 2], max: 8), .oversize(length: 9))
        XCTAssertEqual(error([0, 0, 0, 1, 9]), .unknownType(9))
        XCTAssertEqual(error([0, 0, 0, 1, 0]), .unknownType(0))
        XCTAssertEqual(error([0, 0, 0, 3, 3, 0, 5]), .truncatedField)
        XCTAssertEqual(error([0, 0, 0, 2, 3, 0]), .truncatedField)
        XCTAssertEqual(error([0, 0, 0, 2, 5, 0]), .trailingBytes)
        XCTAssertEqual(error([0, 0, 0, 4, 3, 0, 1, 0xFF]), .invalidUTF8)
        XCTAssertEqual(error([0, 0, 0, 5, 4, 0, 1, 0x61, 2]), .invalidBoolean(2))
        XCTAssertEqual(error([0, 0, 0, 12, 1, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0]), .unknownKind(7))
        XCTAssertEqual(error([0, 0, 0, 12, 1, 0, 0, 0, 0, 1, 9, 0, 0, 0, 0, 0]), .unknownCodec(9))
        XCTAssertEqual(error([0, 0, 0, 10, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0]), .truncatedField)
        XCTAssertEqual(error([0, 0, 0, 9, 2, 0, 0, 0, 0, 0, 0, 0, 0]), .truncatedField)  // arrival cut short
    }

    func testMalformedRecordIsSkippedButBadFramingSticks() throws {
        var d = EgressRecordCodec.Decoder()
        d.append([0, 0, 0, 1, 42] + EgressRecordCodec.encode(.finish))
        XCTAssertThrowsError(try d.next())
        XCTAssertEqual(try d.next(), .finish, "a bad record with intact framing is skipped")
        XCTAssertNil(try d.next())
        d.append([0, 0, 0, 0] + EgressRecordCodec.encode(.finish))
        XCTAssertThrowsError(try d.next())
        XCTAssertThrowsError(try d.next(), "a broken length prefix cannot be resynchronised")
    }

    func testIncompleteRecordWaitsForMoreBytes() throws {
        var d = EgressRecordCodec.Decoder()
        let bytes = EgressRecordCodec.encode(.rtp(trackID: "t", arrival: 2, packet: [UInt8](repeating: 1, count: 100)))
        d.append(Array(bytes.dropLast()))
        XCTAssertNil(try d.next())
        XCTAssertNil(try d.next())
        d.append([bytes.last!])
        XCTAssertEqual(try d.next(), .rtp(trackID: "t", arrival: 2, packet: [UInt8](repeating: 1, count: 100)))
    }

    func testOverlongStringIsCutAtScalarBoundary() throws {
        let long = String(repeating: "é", count: 40_000)  // 80,000 UTF-8 bytes
        let decoded = try decodeAll(EgressRecordCodec.encode(.trackRemoved(trackID: long)), chunk: 1 << 20)
        guard case .trackRemoved(let id)? = decoded.first else { return XCTFail("no record") }
        XCTAssertEqual(id.utf8.count, 65_534)
        XCTAssertTrue(long.hasPrefix(id))
    }
}
