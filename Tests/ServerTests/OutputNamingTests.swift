import Egress
import Foundation
import XCTest
@testable import Server

final class OutputNamingTests: XCTestCase {
    /// 2024-05-01 10:15:00.042 UTC
    private let when = Date(timeIntervalSince1970: 1_714_558_500.042)

    private func composite(room: String = "standup") -> OutputNaming {
        OutputNaming(egressID: "EG_abc", roomName: room, roomID: "RM_xyz", track: nil, time: when)
    }

    private func track() -> OutputNaming {
        var naming = composite()
        naming.track = OutputNaming.Track(id: "TR_mic", type: "audio", source: "microphone", publisherIdentity: "alice")
        return naming
    }

    func testTimeFormatsAreLiveKits() {
        XCTAssertEqual(composite().timeText, "2024-05-01T101500")
        XCTAssertEqual(composite().utcText, "20240501101500042")
    }

    func testRoomCompositeVariables() {
        XCTAssertEqual(composite().expand("calls/{room_name}/{time}.mp4"), "calls/standup/2024-05-01T101500.mp4")
        XCTAssertEqual(composite().expand("{room_id}-{utc}-{egress_id}"), "RM_xyz-20240501101500042-EG_abc")
    }

    func testTrackVariables() {
        XCTAssertEqual(track().expand("{room_name}/{publisher_identity}/{track_type}-{track_source}-{track_id}"),
                       "standup/alice/audio-microphone-TR_mic")
    }

    func testVariablesThatDoNotApplyStayAsWritten() {
        XCTAssertEqual(composite().expand("{room_name}-{track_id}-{publisher_identity}"),
                       "standup-{track_id}-{publisher_identity}")
        XCTAssertEqual(composite().expand("{unknown}{{room_name}}{"), "{unknown}{standup}{")
    }

    func testValuesAreNotExpandedAgain() {
        XCTAssertEqual(composite(room: "{time}").expand("{room_name}.mp4"), "{time}.mp4")
    }

    func testDirectoriesAreKept() throws {
        let path = try composite().path(for: "calls/{room_name}/{time}.mp4", fileExtension: "mp4")
        XCTAssertEqual(path.description, "calls/standup/2024-05-01T101500.mp4")
        XCTAssertEqual(path.folder, "calls/standup")
        XCTAssertEqual(path.fileName, "2024-05-01T101500.mp4")
        XCTAssertEqual(path.local(under: "/var/rec"), "/var/rec/calls/standup/2024-05-01T101500.mp4")
        XCTAssertEqual(path.local(under: "/var/rec/"), "/var/rec/calls/standup/2024-05-01T101500.mp4")
    }

    func testDefaultNamesFollowLiveKit() throws {
        XCTAssertEqual(try composite().path(for: "", fileExtension: "mp4").description, "standup-2024-05-01T101500.mp4")
        XCTAssertEqual(try composite().path(for: "calls/", fileExtension: "mp4").description,
                       "calls/standup-2024-05-01T101500.mp4")
        XCTAssertEqual(try track().path(for: "", fileExtension: "ogg").description, "TR_mic-2024-05-01T101500.ogg")
        XCTAssertEqual(try track().path(for: "{room_name}/", fileExtension: nil).description,
                       "standup/TR_mic-2024-05-01T101500")
    }

    func testExtensionRule() throws {
        XCTAssertEqual(OutputNaming.fileName("acc", withExtension: "mp4"), "acc.mp4")
        XCTAssertEqual(OutputNaming.fileName("acc.mp4", withExtension: "mp4"), "acc.mp4")
        XCTAssertEqual(OutputNaming.fileName("acc.MP4", withExtension: "mp4"), "acc.MP4")
        XCTAssertEqual(OutputNaming.fileName("acc.ogg", withExtension: "mp4"), "acc.mp4")
        XCTAssertEqual(OutputNaming.fileName("acc.v2", withExtension: "mp4"), "acc.v2.mp4")
        XCTAssertEqual(OutputNaming.fileName(".hidden", withExtension: "ogg"), ".hidden.ogg")
        XCTAssertEqual(try composite().path(for: "calls.v1/acc", fileExtension: "mp4").description, "calls.v1/acc.mp4")
        XCTAssertEqual(try composite().path(for: "track", fileExtension: nil).description, "track")
    }

    func testTrackContainers() {
        XCTAssertEqual(OutputNaming.fileExtension(for: .opus), "ogg")
        XCTAssertEqual(OutputNaming.fileExtension(for: .vp8), "webm")
        XCTAssertEqual(OutputNaming.fileExtension(for: .h264), "mp4")
        XCTAssertEqual(OutputNaming.contentType("a/b.webm"), "video/webm")
    }

    func testPathsAreCleaned() throws {
        XCTAssertEqual(try composite().path(for: "./calls//{room_name}/./x.mp4", fileExtension: "mp4").description,
                       "calls/standup/x.mp4")
        XCTAssertEqual(try composite().path(for: "calls/.", fileExtension: "mp4").description, "calls.mp4")
    }

    func testEscapesAreRefused() {
        let naming = composite()
        XCTAssertThrowsError(try naming.path(for: "/abs.mp4", fileExtension: "mp4")) {
            XCTAssertEqual($0 as? RecordingPathError, .absolute)
        }
        for template in ["../x.mp4", "calls/../../x.mp4", "calls/..", "a/../b.mp4"] {
            XCTAssertThrowsError(try naming.path(for: template, fileExtension: "mp4"), template) {
                XCTAssertEqual($0 as? RecordingPathError, .climbsOut, template)
            }
        }
        XCTAssertThrowsError(try naming.path(for: "a\u{0}b.mp4", fileExtension: "mp4")) {
            XCTAssertEqual($0 as? RecordingPathError, .controlCharacter(0))
        }
        XCTAssertThrowsError(try naming.path(for: "a\nb.mp4", fileExtension: "mp4"))
    }

    func testExpandedValuesCannotEscapeEither() {
        XCTAssertThrowsError(try composite(room: "..").path(for: "calls/{room_name}/x.mp4", fileExtension: "mp4")) {
            XCTAssertEqual($0 as? RecordingPathError, .climbsOut)
        }
        XCTAssertThrowsError(try composite(room: "/etc").path(for: "{room_name}/x.mp4", fileExtension: "mp4")) {
            XCTAssertEqual($0 as? RecordingPathError, .absolute)
        }
    }

    func testOverlongNamesAreRefused() throws {
        let name300 = String(repeating: "a", count: 300)
        XCTAssertThrowsError(try composite().path(for: name300 + ".mp4", fileExtension: "mp4")) {
            XCTAssertEqual($0 as? RecordingPathError, .componentTooLong(prefix: String(repeating: "a", count: 40), bytes: 304))
        }
        // 255 bytes fit, but not once the extension is added.
        let name251 = String(repeating: "b", count: 251)
        XCTAssertEqual(try composite().path(for: name251, fileExtension: "mp4").fileName.utf8.count, 255)
        XCTAssertThrowsError(try composite().path(for: name251 + "x", fileExtension: "mp4"))
        // Multi-byte characters count in bytes: 128 × "é" (2 bytes each) = 256 bytes.
        XCTAssertThrowsError(try composite().path(for: String(repeating: "é", count: 128), fileExtension: nil))
        // A long room name expands past the limit too.
        XCTAssertThrowsError(try composite(room: name300).path(for: "{room_name}.mp4", fileExtension: "mp4"))

        let folders = Array(repeating: String(repeating: "d", count: 200), count: 6).joined(separator: "/")
        XCTAssertThrowsError(try composite().path(for: folders + "/x.mp4", fileExtension: "mp4")) {
            guard case .tooLong(let bytes)? = $0 as? RecordingPathError else { return XCTFail("\($0)") }
            XCTAssertEqual(bytes, 6 * 200 + 6 + 5)  // six folders, six slashes, x.mp4
        }
    }

    func testErrorsExplainThemselves() {
        let refusal = EgressOutputResolver.refusal("../x.mp4", .climbsOut)
        XCTAssertEqual(refusal, .invalidArgument("invalid filepath \"../x.mp4\": a `..` component would leave the storage root"))
        XCTAssertTrue(RecordingPathError.absolute.description.contains("relative"))
        XCTAssertTrue(RecordingPathError.componentTooLong(prefix: "aaa", bytes: 300).description.contains("255"))
    }
}
