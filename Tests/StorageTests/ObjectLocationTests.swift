import XCTest
@testable import Storage

/// `S3Destination.location()`: the object URL reported in `FileInfo.location`.
final class ObjectLocationTests: XCTestCase {
    private func destination(endpoint: String?, pathStyle: Bool = false, bucket: String = "rec",
                             key: String = "calls/room 1/2024-05-01T101500.mp4", region: String = "eu-west-1") -> S3Destination {
        S3Destination(accessKey: "A", secret: "S", region: region, endpoint: endpoint, bucket: bucket,
                      forcePathStyle: pathStyle, key: key)
    }

    func testAWSIsLiveKitsRegionlessVirtualHostedURL() throws {
        XCTAssertEqual(try destination(endpoint: nil).location(),
                       "https://rec.s3.amazonaws.com/calls/room%201/2024-05-01T101500.mp4")
        XCTAssertEqual(try destination(endpoint: nil, key: "/café/x.mp4").location(),
                       "https://rec.s3.amazonaws.com/caf%C3%A9/x.mp4")
    }

    func testAWSPathStyle() throws {
        XCTAssertEqual(try destination(endpoint: nil, pathStyle: true, key: "a/b.mp4").location(),
                       "https://s3.amazonaws.com/rec/a/b.mp4")
        // A dotted bucket cannot be virtual-hosted over https.
        XCTAssertEqual(try destination(endpoint: nil, bucket: "my.rec", key: "a.mp4").location(),
                       "https://s3.amazonaws.com/my.rec/a.mp4")
    }

    func testCustomEndpointIsTheURLWrittenTo() throws {
        XCTAssertEqual(try destination(endpoint: "http://127.0.0.1:9000", key: "calls/r/x.mp4").location(),
                       "http://127.0.0.1:9000/rec/calls/r/x.mp4")
        XCTAssertEqual(try destination(endpoint: "https://minio.example.com", pathStyle: true, key: "x.mp4").location(),
                       "https://minio.example.com/rec/x.mp4")
        XCTAssertEqual(try destination(endpoint: "s3.example.com", key: "x.mp4").location(),
                       "https://rec.s3.example.com/x.mp4")
    }

    func testLocationNeedsBucketAndKey() {
        XCTAssertThrowsError(try destination(endpoint: nil, bucket: "").location())
        XCTAssertThrowsError(try destination(endpoint: nil, key: "//").location())
    }
}
