import XCTest
@testable import Signal

/// `/rtc/v1?join_request=…`: base64 of a WrappedJoinRequest, gzip or plain inside. The
/// fixtures were made with livekit-protocol's Python classes (a JoinRequest with client_info
/// sdk=PYTHON client_protocol=2, auto_subscribe, reconnect, participant_sid "PA_resume" and a
/// publisher offer "v=0\r\n").
final class WrappedJoinRequestDecoderTests: XCTestCase {
    static let gzipURLSafe = "CAESOx-LCACZQw9rAv_jYuHgTGASYuJgNOLjYs1PS0stEmItszXg5bJg9OIMcIwvSi0uzU0FACB78MsnAAAA"
    static let plainStandard = "EicKBAgJYAISAggBMg4KBW9mZmVyEgV2PTANCjgBSglQQV9yZXN1bWU="

    private func check(_ request: Livekit_JoinRequest, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(request.clientInfo.sdk, .python, file: file, line: line)
        XCTAssertEqual(request.clientInfo.clientProtocol, 2, file: file, line: line)
        XCTAssertTrue(request.connectionSettings.autoSubscribe, file: file, line: line)
        XCTAssertTrue(request.reconnect, file: file, line: line)
        XCTAssertEqual(request.participantSid, "PA_resume", file: file, line: line)
        XCTAssertEqual(request.publisherOffer.sdp, "v=0\r\n", file: file, line: line)
    }

    func testGzipURLSafeUnpadded() throws {
        check(try WrappedJoinRequestDecoder.decode(Self.gzipURLSafe))
    }

    func testPlainStandardPadded() throws {
        check(try WrappedJoinRequestDecoder.decode(Self.plainStandard))
    }

    func testJoinParametersFromTheRequest() throws {
        let parameters = JoinParameters(joinRequest: try WrappedJoinRequestDecoder.decode(Self.gzipURLSafe))
        XCTAssertTrue(parameters.singlePeerConnection)
        XCTAssertTrue(parameters.reconnect)
        XCTAssertEqual(parameters.participantSID, "PA_resume")
        XCTAssertEqual(parameters.clientProtocol, 2)
        XCTAssertEqual(parameters.publisherOffer?.sdp, "v=0\r\n")
    }

    func testBadInputIsATypedError() {
        func failure(_ text: String) -> WrappedJoinRequestDecoder.Failure? {
            do { _ = try WrappedJoinRequestDecoder.decode(text); return nil } catch { return error }
        }
        XCTAssertEqual(failure("A"), .notBase64)
        XCTAssertEqual(failure("!!!!"), .notBase64)
        // Field 1 = GZIP, field 2 = three bytes that are not gzip.
        XCTAssertEqual(failure(Data([0x08, 0x01, 0x12, 0x03, 1, 2, 3]).base64EncodedString()), .badCompression)
        // Field 2 holds bytes that are no JoinRequest (a truncated varint).
        XCTAssertEqual(failure(Data([0x12, 0x02, 0x08, 0xFF]).base64EncodedString()), .malformedJoinRequest)
        // A length-delimited field that runs past the end.
        XCTAssertEqual(failure(Data([0x12, 0x10, 0x01]).base64EncodedString()), .malformedWrapper)
        XCTAssertEqual(failure(String(repeating: "A", count: WrappedJoinRequestDecoder.maxEncodedLength + 4)),
                       .tooLarge(WrappedJoinRequestDecoder.maxEncodedLength + 4))
    }

    func testInflationIsBounded() throws {
        let wrapped = try Livekit_WrappedJoinRequest(serializedBytes: WrappedJoinRequestDecoder.base64Bytes(Self.gzipURLSafe)!)
        let inflated = try WrappedJoinRequestDecoder.inflate(Array(wrapped.joinRequest))
        XCTAssertGreaterThan(inflated.count, 16)
        XCTAssertThrowsError(try WrappedJoinRequestDecoder.inflate(Array(wrapped.joinRequest), limit: 16)) { error in
            XCTAssertEqual(error as? WrappedJoinRequestDecoder.Failure, .inflatedTooLarge)
        }
        // Exactly enough room is enough.
        XCTAssertEqual(try WrappedJoinRequestDecoder.inflate(Array(wrapped.joinRequest), limit: inflated.count), inflated)
    }
}
