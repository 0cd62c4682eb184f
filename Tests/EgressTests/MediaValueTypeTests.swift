import XCTest
@testable import Egress

final class MediaValueTypeTests: XCTestCase {
    func testGridLayoutShapes() {
        XCTAssertEqual(GridLayout(tileCount: 1, canvasWidth: 1280, canvasHeight: 720).tile(0), PixelRect(x: 0, y: 0, width: 1280, height: 720))
        let two = GridLayout(tileCount: 2, canvasWidth: 1280, canvasHeight: 720)
        XCTAssertEqual(two.tile(0), PixelRect(x: 0, y: 0, width: 640, height: 720))
        XCTAssertEqual(two.tile(1), PixelRect(x: 640, y: 0, width: 640, height: 720))
        XCTAssertNil(two.tile(2))
        let three = GridLayout(tileCount: 3, canvasWidth: 1280, canvasHeight: 720)
        XCTAssertEqual([three.columns, three.rows], [2, 2])
        XCTAssertEqual(three.tile(2), PixelRect(x: 0, y: 360, width: 640, height: 360))
        let five = GridLayout(tileCount: 5, canvasWidth: 1280, canvasHeight: 720)
        XCTAssertEqual([five.columns, five.rows], [3, 2])
        XCTAssertEqual(five.tile(4), PixelRect(x: 426, y: 360, width: 426, height: 360))
        XCTAssertEqual(GridLayout(tileCount: 9, canvasWidth: 1280, canvasHeight: 720).rows, 3)
        XCTAssertEqual(GridLayout(tileCount: 10, canvasWidth: 1280, canvasHeight: 720).columns, 4)
        XCTAssertNil(GridLayout(tileCount: 0, canvasWidth: 1280, canvasHeight: 720).tile(0))
        // Every edge of every tile is even (4:2:0 chroma).
        for count in 1...16 {
            let layout = GridLayout(tileCount: count, canvasWidth: 1280, canvasHeight: 720)
            for i in 0..<count {
                let tile = layout.tile(i)!
                XCTAssertEqual([tile.x, tile.y, tile.width, tile.height].map { $0 % 2 }, [0, 0, 0, 0])
                XCTAssertLessThanOrEqual(tile.x + tile.width, 1280)
                XCTAssertLessThanOrEqual(tile.y + tile.height, 720)
            }
        }
    }

    func testFitKeepsAspectRatioAndCentres() {
        let cell = PixelRect(x: 640, y: 0, width: 640, height: 720)
        XCTAssertEqual(GridLayout.fit(sourceWidth: 320, sourceHeight: 240, into: cell), PixelRect(x: 640, y: 120, width: 640, height: 480))
        XCTAssertEqual(GridLayout.fit(sourceWidth: 1280, sourceHeight: 720, into: PixelRect(x: 0, y: 0, width: 1280, height: 720)),
                       PixelRect(x: 0, y: 0, width: 1280, height: 720))
        // Portrait source in a landscape cell: pillarbox.
        XCTAssertEqual(GridLayout.fit(sourceWidth: 360, sourceHeight: 640, into: PixelRect(x: 0, y: 0, width: 640, height: 360)),
                       PixelRect(x: 218, y: 0, width: 202, height: 360))
        XCTAssertNil(GridLayout.fit(sourceWidth: 0, sourceHeight: 10, into: cell))
        XCTAssertNil(GridLayout.fit(sourceWidth: 10, sourceHeight: 10, into: PixelRect(x: 0, y: 0, width: 1, height: 1)))
    }

    private func mix(_ mixer: inout AudioMixer) -> [Float] {
        var block = [Float](repeating: 9, count: AudioMixer.blockFrames * 2)
        block.withUnsafeMutableBufferPointer { mixer.mixNextBlock(into: $0) }
        return block
    }

    func testMixerSumsClipsAndFillsSilence() {
        var mixer = AudioMixer()
        mixer.addTrack("a")
        mixer.addTrack("b")
        let half = [Float](repeating: 0.6, count: 960 * 2)
        half.withUnsafeBufferPointer { mixer.push("a", pcm: $0, timestamp: 0) }
        half.withUnsafeBufferPointer { mixer.push("b", pcm: $0, timestamp: 0.02) }
        let first = mix(&mixer)
        XCTAssertEqual(first.first, 0.6)
        XCTAssertEqual(first.last, 0.6)
        half.withUnsafeBufferPointer { mixer.push("a", pcm: $0, timestamp: 0.02) }
        XCTAssertEqual(mix(&mixer).first, 1.0, "0.6 + 0.6 clips to 1")
        XCTAssertEqual(mix(&mixer), [Float](repeating: 0, count: 1920), "nothing queued: silence")
        XCTAssertEqual(mixer.cursor, 2_880)
        // Late audio (before the cursor) is dropped; muted tracks are silent.
        half.withUnsafeBufferPointer { mixer.push("a", pcm: $0, timestamp: 0) }
        mixer.setMuted("b", true)
        half.withUnsafeBufferPointer { mixer.push("b", pcm: $0, timestamp: 0.06) }
        XCTAssertEqual(mix(&mixer), [Float](repeating: 0, count: 1920))
        mixer.removeTrack("a")
        XCTAssertFalse(mixer.hasTrack("a"))
        XCTAssertEqual(mixer.trackCount, 1)
    }

    func testTrackBufferAbsorbsJitterAndPadsGaps() {
        var buffer = AudioTrackBuffer()
        let ones = [Float](repeating: 1, count: 960 * 2)
        ones.withUnsafeBufferPointer { buffer.append($0, at: 960) }
        ones.withUnsafeBufferPointer { buffer.append($0, at: 1_930) }  // 10 samples late: continuous
        XCTAssertEqual(buffer.startSample, 960)
        XCTAssertEqual(buffer.endSample, 2_880)
        ones.withUnsafeBufferPointer { buffer.append($0, at: 9_600) }  // a gap: silence in between
        XCTAssertEqual(buffer.endSample, 10_560)
        var block = [Float](repeating: 0, count: 960 * 2)
        block.withUnsafeMutableBufferPointer { buffer.mix(into: $0, blockStart: 480, frames: 960, muted: false) }
        XCTAssertEqual(block[0], 0)
        XCTAssertEqual(block[959], 0)
        XCTAssertEqual(block[960], 1)
        XCTAssertEqual(buffer.startSample, 1_440)
        block = [Float](repeating: 0, count: 960 * 2)
        block.withUnsafeMutableBufferPointer { buffer.mix(into: $0, blockStart: 4_800, frames: 960, muted: false) }
        XCTAssertEqual(block, [Float](repeating: 0, count: 1920))
        XCTAssertEqual(buffer.startSample, 5_760)
    }

    func testOpusHeadMatchesRFC7845() {
        let head = OpusHeadPacket(channelCount: 2, preSkip: 312, inputSampleRate: 48_000, outputGain: 0).bytes
        XCTAssertEqual(head, [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64, 1, 2, 0x38, 0x01, 0x80, 0xbb, 0, 0, 0, 0, 0])
    }

    func testVP8HeaderParsing() throws {
        // RFC 6386 §9.1: key frame tag, start code, 14-bit width/height with 2-bit scale.
        let key: [UInt8] = [0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x41, 0xf0, 0x00]
        let header = try VP8FrameHeader(parsing: key)
        XCTAssertTrue(header.isKeyframe)
        XCTAssertEqual(header.width, 320)
        XCTAssertEqual(header.height, 240)
        XCTAssertFalse(try VP8FrameHeader(parsing: [0x51, 0, 0]).isKeyframe)
        XCTAssertThrowsError(try VP8FrameHeader(parsing: [0x50])) { XCTAssertEqual($0 as? VP8FrameHeader.ParseError, .truncated) }
        XCTAssertThrowsError(try VP8FrameHeader(parsing: [0x50, 0, 0, 1, 2, 3, 4, 5, 6, 7])) {
            XCTAssertEqual($0 as? VP8FrameHeader.ParseError, .badStartCode)
        }
    }

    func testAnnexBScanner() {
        let stream: [UInt8] = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 5]
        XCTAssertEqual(AnnexBScanner.nalUnits(stream).map(Array.init), [[0x67, 1, 2], [0x68, 3], [0x65, 4, 5]])
        XCTAssertEqual(AnnexBScanner.parameterSets(stream), [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 1, 0x68, 3])
        XCTAssertNil(AnnexBScanner.parameterSets([0, 0, 1, 0x65, 1]))
        XCTAssertEqual(AnnexBScanner.nalUnits([1, 2, 3]).count, 0)
    }

    /// Random and truncated input to the byte parsers must return or throw, never trap.
    func testParsersSurviveRandomInput() {
        var seed: UInt64 = 0x9e3779b97f4a7c15
        func next() -> UInt8 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: seed >> 33) }
        let key: [UInt8] = [0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x41, 0xf0, 0x00, 0, 0, 1, 0x67]
        for length in 0...key.count { _ = try? VP8FrameHeader(parsing: Array(key.prefix(length))) }
        for _ in 0..<2_000 {
            let count = Int(next() % 64)
            var bytes = (0..<count).map { _ in next() % 4 == 0 ? 0 : next() }
            if count > 3, next() % 2 == 0 { bytes[1] = 0; bytes[2] = 1 }
            _ = try? VP8FrameHeader(parsing: bytes)
            _ = AnnexBScanner.nalUnits(bytes)
            _ = AnnexBScanner.parameterSets(bytes)
        }
    }

    func testDecodersRejectGarbageWithErrors() throws {
        let vp8 = try VP8VideoDecoder()
        let h264 = try H264VideoDecoder()
        let opus = try OpusAudioDecoder()
        var seed: UInt64 = 42
        func next() -> UInt8 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: seed >> 33) }
        for _ in 0..<300 {
            let bytes = (0..<Int(next())).map { _ in next() }
            _ = try? vp8.decode(bytes, timestamp: 0)
            _ = try? h264.decode(bytes, timestamp: 0)
            _ = try? opus.decode(bytes) { $0.count }
        }
        XCTAssertThrowsError(try vp8.decode([], timestamp: 0))
        XCTAssertThrowsError(try opus.decode([]) { $0.count })
    }
}
