import XCTest
@testable import RTP

final class RTPHeaderTests: XCTestCase {
    func testParsePlainHeader() throws {
        let p = bytes("80 e0 12 34 00 00 56 78 9a bc de f0 01 02 03")
        let h = try parseRTP(p)
        XCTAssertTrue(h.marker)
        XCTAssertEqual(h.payloadType, 96)
        XCTAssertEqual(h.sequenceNumber, 0x1234)
        XCTAssertEqual(h.timestamp, 0x5678)
        XCTAssertEqual(h.ssrc, 0x9abc_def0)
        XCTAssertEqual(h.csrcCount, 0)
        XCTAssertNil(h.extensionProfile)
        XCTAssertEqual(h.payloadOffset, 12)
        XCTAssertEqual(h.payloadLength, 3)
        XCTAssertEqual(h.paddingLength, 0)
    }

    func testOneByteExtensions() throws {
        // RFC 8285 §4.2: id 1 len 1 (AA), id 2 len 2 (BB CC), then padding.
        let p = bytes("90 60 00 01 00 00 00 02 00 00 00 03 be de 00 02 10 aa 21 bb cc 00 00 00 de ad")
        let h = try parseRTP(p)
        XCTAssertFalse(h.marker)
        XCTAssertEqual(h.extensionProfile, 0xBEDE)
        XCTAssertEqual(h.extensionOffset, 16)
        XCTAssertEqual(h.extensionLength, 8)
        XCTAssertEqual(h.payloadOffset, 24)
        XCTAssertEqual(h.payloadLength, 2)
        p.withUnsafeBytes { buf in
            XCTAssertEqual(h.extensionElement(id: 1, in: buf), 17..<18)
            XCTAssertEqual(h.extensionElement(id: 2, in: buf), 19..<21)
            XCTAssertNil(h.extensionElement(id: 3, in: buf))
            var seen: [(UInt8, [UInt8])] = []
            h.forEachExtension(in: buf) { id, r in seen.append((id, Array(buf[r]))) }
            XCTAssertEqual(seen.map { $0.0 }, [1, 2])
            XCTAssertEqual(seen.map { $0.1 }, [[0xAA], [0xBB, 0xCC]])
        }
    }

    func testOneByteExtensionId15StopsParsing() throws {
        let p = bytes("90 60 00 01 00 00 00 02 00 00 00 03 be de 00 01 f0 00 10 aa")
        let h = try parseRTP(p)
        p.withUnsafeBytes { buf in
            XCTAssertNil(h.extensionElement(id: 1, in: buf))
        }
    }

    func testTwoByteExtensions() throws {
        // RFC 8285 §4.3: id 1 len 0, id 20 len 3, one padding byte.
        let p = bytes("90 60 00 01 00 00 00 02 00 00 00 03 10 00 00 02 01 00 14 03 01 02 03 00 ff")
        let h = try parseRTP(p)
        XCTAssertEqual(h.extensionProfile, 0x1000)
        XCTAssertEqual(h.payloadOffset, 24)
        XCTAssertEqual(h.payloadLength, 1)
        p.withUnsafeBytes { buf in
            XCTAssertEqual(h.extensionElement(id: 1, in: buf), 18..<18)
            XCTAssertEqual(h.extensionElement(id: 20, in: buf).map { Array(buf[$0]) }, [1, 2, 3])
        }
    }

    func testCSRCsAndPadding() throws {
        // V=2 P=1 CC=2, two CSRCs, payload 2 bytes, 3 padding bytes.
        let p = bytes("a2 08 00 07 00 00 00 09 00 00 00 0a 11 11 11 11 22 22 22 22 ab cd 00 00 03")
        let h = try parseRTP(p)
        XCTAssertEqual(h.csrcCount, 2)
        XCTAssertEqual(h.paddingLength, 3)
        XCTAssertEqual(h.payloadOffset, 20)
        XCTAssertEqual(h.payloadLength, 2)
        p.withUnsafeBytes { buf in
            XCTAssertEqual(h.csrc(at: 0, in: buf), 0x1111_1111)
            XCTAssertEqual(h.csrc(at: 1, in: buf), 0x2222_2222)
            XCTAssertNil(h.csrc(at: 2, in: buf))
        }
    }

    func testErrors() {
        XCTAssertEqual(rtpError(bytes("80 60 00 01")), .tooShort)
        XCTAssertEqual(rtpError(bytes("40 60 00 01 00 00 00 02 00 00 00 03")), .badVersion)
        XCTAssertEqual(rtpError(bytes("83 60 00 01 00 00 00 02 00 00 00 03 00 00 00 01")), .badCSRCCount)
        XCTAssertEqual(rtpError(bytes("90 60 00 01 00 00 00 02 00 00 00 03 be de")), .badExtensionLength)
        XCTAssertEqual(rtpError(bytes("90 60 00 01 00 00 00 02 00 00 00 03 be de 00 02 10 aa")), .badExtensionLength)
        XCTAssertEqual(rtpError(bytes("a0 60 00 01 00 00 00 02 00 00 00 03")), .badPadding)
        XCTAssertEqual(rtpError(bytes("a0 60 00 01 00 00 00 02 00 00 00 03 01 00")), .badPadding)
        XCTAssertEqual(rtpError(bytes("a0 60 00 01 00 00 00 02 00 00 00 03 01 05")), .badPadding)
    }

    func testInPlaceWriters() throws {
        var p = bytes("80 60 00 01 00 00 00 02 00 00 00 03 aa")
        p.withUnsafeMutableBytes { buf in
            RTPHeader.writeSequenceNumber(0xBEEF, into: buf)
            RTPHeader.writeTimestamp(0x0102_0304, into: buf)
            RTPHeader.writeSSRC(0xCAFE_BABE, into: buf)
            RTPHeader.writePayloadType(111, marker: true, into: buf)
        }
        XCTAssertEqual(hex(p), "80efbeef01020304cafebabeaa")
        var short: [UInt8] = [1, 2, 3]
        short.withUnsafeMutableBytes { RTPHeader.writeSSRC(7, into: $0) }
        XCTAssertEqual(short, [1, 2, 3])
    }

    func testWriterOneByteForm() throws {
        var w = RTPHeaderWriter(payloadType: 96, marker: true, sequenceNumber: 7, timestamp: 9, ssrc: 11)
        XCTAssertTrue(w.addExtension(id: 1, value: [0xAA]))
        XCTAssertTrue(w.addExtension(id: 3, value: [1, 2, 3]))
        XCTAssertEqual(w.byteCount, 24)
        var out = [UInt8](repeating: 0xFF, count: 40)
        let n = out.withUnsafeMutableBytes { w.write(into: $0) }
        XCTAssertEqual(n, 24)
        XCTAssertEqual(hex(Array(out[0..<24])), "90e00007" + "00000009" + "0000000b" + "bede0002" + "10aa3201" + "02030000")
        let h = try parseRTP(Array(out[0..<n]))
        XCTAssertEqual(h.sequenceNumber, 7)
        XCTAssertEqual(h.payloadOffset, 24)
        out.withUnsafeBytes { buf in
            XCTAssertEqual(h.extensionElement(id: 3, in: buf).map { Array(buf[$0]) }, [1, 2, 3])
        }
    }

    func testWriterTwoByteForm() throws {
        var w = RTPHeaderWriter(payloadType: 100, marker: false, sequenceNumber: 65535, timestamp: 1, ssrc: 2)
        w.addExtension(id: 2, value: [UInt8](repeating: 7, count: 17))  // > 16 bytes forces two-byte form
        w.addExtension(id: 5, value: [9])
        var out = [UInt8](repeating: 0, count: 64)
        let n = out.withUnsafeMutableBytes { w.write(into: $0) }
        XCTAssertEqual(n, 12 + 4 + 24)  // 2+17+2+1 = 22 -> 24
        let h = try parseRTP(Array(out[0..<n]))
        XCTAssertEqual(h.extensionProfile, 0x1000)
        out.withUnsafeBytes { buf in
            XCTAssertEqual(h.extensionElement(id: 2, in: buf).map { Array(buf[$0]) }, [UInt8](repeating: 7, count: 17))
            XCTAssertEqual(h.extensionElement(id: 5, in: buf).map { Array(buf[$0]) }, [9])
        }
        // Too small an output buffer writes nothing.
        var small = [UInt8](repeating: 0, count: 20)
        XCTAssertEqual(small.withUnsafeMutableBytes { w.write(into: $0) }, 0)
    }

    func testWriterLimitsAndNoExtensions() {
        var w = RTPHeaderWriter(payloadType: 0, marker: false, sequenceNumber: 0, timestamp: 0, ssrc: 0)
        XCTAssertEqual(w.byteCount, 12)
        XCTAssertFalse(w.addExtension(id: 0, value: [1]))
        for id in 1...8 { XCTAssertTrue(w.addExtension(id: UInt8(id), value: [1])) }
        XCTAssertFalse(w.addExtension(id: 9, value: [1]))
    }

    func testBuildRTPPacketRoundTrip() throws {
        let p = buildRTPPacket(payloadType: 111, marker: true, sequenceNumber: 1000, timestamp: 48000, ssrc: 0xDEAD_BEEF,
                               extensions: [(1, [0x80]), (4, [0, 1, 2])], payload: [1, 2, 3, 4, 5], paddingLength: 4)
        let h = try parseRTP(p)
        XCTAssertEqual(h.payloadType, 111)
        XCTAssertTrue(h.marker)
        XCTAssertEqual(h.sequenceNumber, 1000)
        XCTAssertEqual(h.timestamp, 48000)
        XCTAssertEqual(h.ssrc, 0xDEAD_BEEF)
        XCTAssertEqual(h.paddingLength, 4)
        XCTAssertEqual(Array(p[h.payloadRange]), [1, 2, 3, 4, 5])
        p.withUnsafeBytes { buf in
            XCTAssertEqual(h.extensionElement(id: 1, in: buf).map { Array(buf[$0]) }, [0x80])
            XCTAssertEqual(h.extensionElement(id: 4, in: buf).map { Array(buf[$0]) }, [0, 1, 2])
        }
    }
}
