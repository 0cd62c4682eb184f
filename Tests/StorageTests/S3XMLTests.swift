import XCTest
@testable import Storage

final class S3XMLTests: XCTestCase {
    func testParsesS3ErrorDocument() {
        let body = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not \
            match the signature you provided. Check your key &amp; signing method.</Message>\
            <RequestId>4442587FB7D0A2F9</RequestId></Error>
            """.utf8)
        let parsed = S3XML.error(in: body)
        XCTAssertEqual(parsed?.code, "SignatureDoesNotMatch")
        XCTAssertEqual(parsed?.message, "The request signature we calculated does not match the signature you "
                       + "provided. Check your key & signing method.")
    }

    func testNonErrorBodyIsNotAnError() {
        let body = Array("<CompleteMultipartUploadResult><ETag>&quot;abc-3&quot;</ETag></CompleteMultipartUploadResult>".utf8)
        XCTAssertNil(S3XML.error(in: body))
        XCTAssertEqual(S3XML.firstElement("ETag", in: body), "\"abc-3\"")
        XCTAssertEqual(S3XML.unquotedETag(S3XML.firstElement("ETag", in: body)!), "abc-3")
        XCTAssertNil(S3XML.firstElement("UploadId", in: body))
    }

    func testUploadIdOfInitiateResult() {
        let body = Array("""
            <InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <Bucket>example-bucket</Bucket><Key>example-object</Key>\
            <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>\
            </InitiateMultipartUploadResult>
            """.utf8)
        XCTAssertEqual(S3XML.firstElement("UploadId", in: body), "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA")
    }

    func testEntities() {
        XCTAssertEqual(S3XML.unescape("a&lt;b&gt;c&amp;&quot;&apos;&#65;&#x42;"), "a<b>c&\"'AB")
        XCTAssertEqual(S3XML.unescape("&bogus; & &#xZZ; &#1114112; &"), "&bogus; & &#xZZ; &#1114112; &")
        XCTAssertEqual(S3XML.escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;")
    }

    func testCompleteMultipartUploadBody() {
        let body = S3XML.completeMultipartUpload(parts: [(2, "\"e2\""), (1, "\"e1\"")])
        XCTAssertEqual(body, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                       + "<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part>"
                       + "<Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
                       + "</CompleteMultipartUpload>")
    }

    func testUnclosedElementIsAbsent() {
        XCTAssertNil(S3XML.firstElement("Code", in: Array("<Error><Code>Oops".utf8)))
        XCTAssertEqual(S3XML.error(in: Array("<Error>".utf8))?.code, nil)
    }

    /// Deterministic fuzz: random bytes, truncations and mutations of real documents must
    /// return (a value or nil), never trap or hang.
    func testFuzzNeverTraps() {
        var generator = SplitMix64(seed: 0x5EED)
        let seeds = [
            "<Error><Code>NoSuchKey</Code><Message>a &amp; b &#x41; &lt;</Message></Error>",
            "<InitiateMultipartUploadResult><UploadId>abc</UploadId></InitiateMultipartUploadResult>",
            "&#;&#x;&;&&&;;<<Code>>",
        ].map { Array($0.utf8) }
        let alphabet = Array("<>/&;#xCodeErrorMessage0123456789abcdef\u{FF}".utf8)
        for round in 0..<3000 {
            var input: [UInt8]
            let seed = seeds[round % seeds.count]
            switch round % 3 {
            case 0:
                input = Array(seed.prefix(Int(generator.next() % UInt64(seed.count + 1))))
            case 1:
                input = seed
                for _ in 0..<4 where !input.isEmpty {
                    input[Int(generator.next() % UInt64(input.count))] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                }
            default:
                input = (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            }
            _ = S3XML.error(in: input)
            _ = S3XML.firstElement("UploadId", in: input)
            _ = S3XML.unescape(Substring(String(decoding: input, as: UTF8.self)))
            _ = AWSURIEncoding.decode(String(decoding: input, as: UTF8.self))
            _ = SigV4.canonicalQuery(percentEncodedQuery: String(decoding: input, as: UTF8.self))
        }
    }
}

/// Small deterministic PRNG for fuzz-style tests.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
