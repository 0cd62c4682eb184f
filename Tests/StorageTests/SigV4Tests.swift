import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import Storage

/// The worked examples of the AWS documentation "Signature Calculations for the Authorization
/// Header: Transferring Payload in a Single Chunk (AWS Signature Version 4)" (Amazon S3 API Reference).
final class SigV4Tests: XCTestCase {
    let accessKey = "AKIAIOSFODNN7EXAMPLE"
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    let date = Date(timeIntervalSince1970: 1_369_353_600)  // 20130524T000000Z
    let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private func compute(_ request: URLRequest, body: [UInt8]) -> SigV4.Computation {
        var signed = request
        SigV4.sign(request: &signed, body: body, accessKey: accessKey, secret: secret, sessionToken: nil,
                   region: "us-east-1", date: date)
        // Recompute over the signed request minus the Authorization header to expose the steps.
        signed.setValue(nil, forHTTPHeaderField: "Authorization")
        return SigV4.compute(
            request: signed, payloadHash: SigV4.payloadHash(body), accessKey: accessKey, secret: secret,
            region: "us-east-1", service: "s3", timestamp: SigV4.Timestamp(date))
    }

    func testTimestampFormatting() {
        let stamp = SigV4.Timestamp(date)
        XCTAssertEqual(stamp.amzDate, "20130524T000000Z")
        XCTAssertEqual(stamp.dateStamp, "20130524")
        let later = SigV4.Timestamp(Date(timeIntervalSince1970: 1_700_000_000.9))
        XCTAssertEqual(later.amzDate, "20231114T221320Z")
    }

    func testGetObjectExample() {
        var request = URLRequest(url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!)
        request.httpMethod = "GET"
        request.setValue("bytes=0-9", forHTTPHeaderField: "Range")
        let result = compute(request, body: [])
        XCTAssertEqual(result.canonicalRequest, """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:\(emptyHash)
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            \(emptyHash)
            """)
        XCTAssertEqual(result.stringToSign, """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        XCTAssertEqual(result.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")

        var signed = request
        SigV4.sign(request: &signed, body: [], accessKey: accessKey, secret: secret, sessionToken: nil,
                   region: "us-east-1", date: date)
        XCTAssertEqual(signed.value(forHTTPHeaderField: "Authorization"),
                       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                       + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                       + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        XCTAssertEqual(signed.value(forHTTPHeaderField: "x-amz-date"), "20130524T000000Z")
        XCTAssertEqual(signed.value(forHTTPHeaderField: "x-amz-content-sha256"), emptyHash)
    }

    func testPutObjectExample() {
        var request = URLRequest(url: URL(string: "https://examplebucket.s3.amazonaws.com/test$file.text")!)
        request.httpMethod = "PUT"
        request.setValue("Fri, 24 May 2013 00:00:00 GMT", forHTTPHeaderField: "Date")
        request.setValue("REDUCED_REDUNDANCY", forHTTPHeaderField: "x-amz-storage-class")
        let body = Array("Welcome to Amazon S3.".utf8)
        let bodyHash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
        XCTAssertEqual(SigV4.payloadHash(body), bodyHash)
        let result = compute(request, body: body)
        XCTAssertEqual(result.canonicalRequest, """
            PUT
            /test%24file.text

            date:Fri, 24 May 2013 00:00:00 GMT
            host:examplebucket.s3.amazonaws.com
            x-amz-content-sha256:\(bodyHash)
            x-amz-date:20130524T000000Z
            x-amz-storage-class:REDUCED_REDUNDANCY

            date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class
            \(bodyHash)
            """)
        XCTAssertEqual(result.stringToSign, """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d
            """)
        XCTAssertEqual(result.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    func testGetBucketLifecycleExample() {
        var request = URLRequest(url: URL(string: "https://examplebucket.s3.amazonaws.com/?lifecycle")!)
        request.httpMethod = "GET"
        let result = compute(request, body: [])
        XCTAssertTrue(result.canonicalRequest.hasPrefix("GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\n"))
        XCTAssertEqual(result.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    func testListObjectsExample() {
        var request = URLRequest(url: URL(string: "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J")!)
        request.httpMethod = "GET"
        let result = compute(request, body: [])
        XCTAssertTrue(result.canonicalRequest.hasPrefix("GET\n/\nmax-keys=2&prefix=J\n"))
        XCTAssertEqual(result.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    func testSessionTokenIsSentAndSigned() {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:5000/bucket/key")!)
        request.httpMethod = "PUT"
        SigV4.sign(request: &request, body: [1, 2, 3], accessKey: accessKey, secret: secret,
                   sessionToken: "TOKEN", region: "eu-west-1", date: date)
        XCTAssertEqual(request.value(forHTTPHeaderField: "x-amz-security-token"), "TOKEN")
        let authorization = request.value(forHTTPHeaderField: "Authorization") ?? ""
        XCTAssertTrue(authorization.contains("/20130524/eu-west-1/s3/aws4_request,"), authorization)
        XCTAssertTrue(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
                      authorization)
    }

    func testSigningTwiceGivesTheSameSignature() {
        var request = URLRequest(url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!)
        request.setValue("bytes=0-9", forHTTPHeaderField: "Range")
        SigV4.sign(request: &request, body: [], accessKey: accessKey, secret: secret, sessionToken: nil,
                   region: "us-east-1", date: date)
        let first = request.value(forHTTPHeaderField: "Authorization")
        SigV4.sign(request: &request, body: [], accessKey: accessKey, secret: secret, sessionToken: nil,
                   region: "us-east-1", date: date)
        XCTAssertEqual(request.value(forHTTPHeaderField: "Authorization"), first)
    }

    func testHostHeaderKeepsNonDefaultPort() {
        XCTAssertEqual(SigV4.hostHeader(for: URL(string: "http://127.0.0.1:5000/b/k")!), "127.0.0.1:5000")
        XCTAssertEqual(SigV4.hostHeader(for: URL(string: "https://s3.amazonaws.com:443/b/k")!), "s3.amazonaws.com")
        XCTAssertEqual(SigV4.hostHeader(for: URL(string: "http://minio/b/k")!), "minio")
    }

    func testCanonicalQuerySortsAndEncodes() {
        XCTAssertEqual(SigV4.canonicalQuery(percentEncodedQuery: "uploadId=a%2Fb+c&partNumber=2"),
                       "partNumber=2&uploadId=a%2Fb%2Bc")
        XCTAssertEqual(SigV4.canonicalQuery(percentEncodedQuery: "uploads"), "uploads=")
        XCTAssertEqual(SigV4.canonicalQuery(percentEncodedQuery: "b=2&a=3&a=1"), "a=1&a=3&b=2")
        XCTAssertEqual(SigV4.canonicalQuery(percentEncodedQuery: nil), "")
    }

    func testCanonicalURIEncodesOnceForS3() {
        XCTAssertEqual(SigV4.canonicalURI(percentEncodedPath: "/bucket/a%20b/c~d$e", service: "s3"),
                       "/bucket/a%20b/c~d%24e")
        XCTAssertEqual(SigV4.canonicalURI(percentEncodedPath: "", service: "s3"), "/")
        XCTAssertEqual(SigV4.canonicalURI(percentEncodedPath: "/a%20b", service: "iam"), "/a%2520b")
    }
}
