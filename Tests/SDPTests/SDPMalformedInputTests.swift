import XCTest
@testable import SDP

/// Bad input must throw a typed error, never crash or hang.
final class SDPMalformedInputTests: XCTestCase {
    private let head = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"

    private func assertParseError(_ text: String, _ expected: SDPParseError,
                                  file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try SessionDescription.parse(text)
            XCTFail("expected \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }

    func testStructuralErrors() {
        assertParseError("", .missingVersion)
        assertParseError("\r\n\r\n", .missingVersion)
        assertParseError("hello world", .badLine(1, "hello world"))
        assertParseError("v=1\r\n", .missingVersion)
        assertParseError("o=- 1 2 IN IP4 x\r\n", .missingVersion)
        assertParseError("v=0\r\n", .missingOrigin)
        assertParseError("v=0\r\ns=-\r\n", .missingOrigin)
        assertParseError("v=0\r\no=- 1 2 IN IP4\r\n", .badOrigin("o=- 1 2 IN IP4"))
        assertParseError(head + "X=1\r\n", .badLine(5, "X=1"))
        assertParseError(head + "a\r\n", .badLine(5, "a"))
        assertParseError(head + "=x\r\n", .badLine(5, "=x"))
        assertParseError(head + "m=audio 9 RTP/AVP 0\r\nt=0 0\r\n", .badLine(6, "t=0 0"))
        assertParseError(head + "m=audio 9 RTP/AVP 0\r\no=x\r\n", .badLine(6, "o=x"))
        assertParseError(head + "q=unknown\r\n", .badLine(5, "q=unknown"))
    }

    func testBadMediaLines() {
        assertParseError(head + "m=audio 9 RTP/AVP\r\n", .badMediaLine("m=audio 9 RTP/AVP"))
        assertParseError(head + "m=audio x RTP/AVP 0\r\n", .badMediaLine("m=audio x RTP/AVP 0"))
        assertParseError(head + "m=audio 70000 RTP/AVP 0\r\n", .badMediaLine("m=audio 70000 RTP/AVP 0"))
        assertParseError(head + "m=audio -1 RTP/AVP 0\r\n", .badMediaLine("m=audio -1 RTP/AVP 0"))
        assertParseError(head + "m=\r\n", .badMediaLine("m="))
    }

    func testBadAttributes() {
        let m = head + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
        let cases = [
            "a=rtpmap:96",
            "a=rtpmap:96 VP8",
            "a=rtpmap:200 VP8/90000",
            "a=rtpmap:x VP8/90000",
            "a=rtpmap:96 VP8/abc",
            "a=rtpmap:96 VP8/90000/x",
            "a=fmtp:96",
            "a=rtcp-fb:-1 nack",
            "a=extmap:0 urn:x",
            "a=extmap:300 urn:x",
            "a=extmap:1/sideways urn:x",
            "a=extmap:1",
            "a=ssrc:abc cname:x",
            "a=ssrc:1",
            "a=ssrc:99999999999 cname:x",
            "a=ssrc-group:FID 1 x",
            "a=ssrc-group:",
            "a=setup:maybe",
            "a=fingerprint:sha-256",
            "a=mid:",
            "a=ice-ufrag",
            "a=rid:f sideways",
            "a=rid:f",
            "a=msid:a b c",
            "a=sctp-port:99999",
            "a=max-message-size:-5",
            "a=candidate:",
        ]
        for attribute in cases {
            assertParseError(m + attribute + "\r\n", .badAttribute(attribute))
        }
        assertParseError(head + "a=group:\r\n", .badAttribute("a=group:"))
        assertParseError(head + "a=setup:x\r\n", .badAttribute("a=setup:x"))
    }

    func testToleratesLineEndingsBlankLinesAndTrailingSpaces() throws {
        let lf = "v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\n\nt=0 0  \nm=audio 9 RTP/AVP 0\na=mid:a\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let a = try SessionDescription.parse(lf)
        let b = try SessionDescription.parse(crlf)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.media.first?.mid, "a")
        XCTAssertEqual(a.timing, ["0 0"])
    }

    func testTruncatedFixturesNeverCrash() throws {
        for name in Fixture.allFiles {
            let text = try Fixture.text(name)
            let scalars = text.unicodeScalars
            var cut = 0
            while cut < scalars.count {
                _ = try? SessionDescription.parse(String(String.UnicodeScalarView(scalars.prefix(cut))))
                cut += 97
            }
        }
    }

    /// Deterministic fuzz: fixture lines mutated, shuffled, and random bytes; parse must
    /// return or throw. A successful parse must also survive serialize→parse.
    func testRandomLineFuzz() throws {
        var rng = SplitMix64(seed: 0x5D9_2024)
        let corpus = try Fixture.allFiles.flatMap { try Fixture.text($0).components(separatedBy: "\r\n") }
        let alphabet = Array("v=oamtcsb:/ 0123456789abcdefXYZ;-\r\n\t*~,.=\u{0}\u{7F}é")
        var parsed = 0
        for _ in 0..<400 {
            var lines = ["v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0"]
            for _ in 0..<Int.random(in: 1...40, using: &rng) {
                var line = corpus.randomElement(using: &rng) ?? ""
                switch Int.random(in: 0..<5, using: &rng) {
                case 0:
                    // truncate
                    line = String(line.prefix(Int.random(in: 0...max(0, line.count), using: &rng)))
                case 1:
                    // replace one character
                    if !line.isEmpty {
                        var chars = Array(line)
                        chars[Int.random(in: 0..<chars.count, using: &rng)] = alphabet.randomElement(using: &rng)!
                        line = String(chars)
                    }
                case 2:
                    // random garbage
                    line = String((0..<Int.random(in: 0...30, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
                default:
                    break
                }
                lines.append(line)
            }
            let text = lines.joined(separator: "\r\n")
            if let sdp = try? SessionDescription.parse(text) {
                parsed += 1
                XCTAssertEqual(try SessionDescription.parse(sdp.serialize()), sdp)
                for media in sdp.media {
                    for candidate in media.candidates { _ = try? ICECandidate.parse(candidate) }
                    _ = media.primarySSRC
                    _ = media.codecs.map { $0.fmtpParameter("apt") }
                }
            }
        }
        XCTAssertGreaterThan(parsed, 0)
    }

    func testRandomBytesNeverCrash() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? SessionDescription.parse("v=0\no=- 1 1 IN IP4 0.0.0.0\n" + text)
            _ = try? SessionDescription.parse(text)
            _ = try? ICECandidate.parse(text)
        }
    }
}
