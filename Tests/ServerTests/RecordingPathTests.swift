import XCTest
@testable import Server

final class RecordingPathTests: XCTestCase {
    func testNormalisedLikeLiveKitsClean() throws {
        XCTAssertEqual(try RecordingPath(validating: "a//b/./c.mp4").components, ["a", "b", "c.mp4"])
        XCTAssertEqual(try RecordingPath(validating: "a/b/").description, "a/b")
        XCTAssertEqual(try RecordingPath(validating: "x.mp4").folder, "")
    }

    func testRefusals() {
        XCTAssertThrowsError(try RecordingPath(validating: "")) { XCTAssertEqual($0 as? RecordingPathError, .empty) }
        XCTAssertThrowsError(try RecordingPath(validating: "./")) { XCTAssertEqual($0 as? RecordingPathError, .empty) }
        XCTAssertThrowsError(try RecordingPath(validating: "//x")) { XCTAssertEqual($0 as? RecordingPathError, .absolute) }
        XCTAssertThrowsError(try RecordingPath(validating: "..")) { XCTAssertEqual($0 as? RecordingPathError, .climbsOut) }
        XCTAssertThrowsError(try RecordingPath(validating: "a\u{7F}")) {
            XCTAssertEqual($0 as? RecordingPathError, .controlCharacter(0x7F))
        }
        // `..` inside a name is just a name.
        XCTAssertEqual(try RecordingPath(validating: "a..b/..c").description, "a..b/..c")
    }

    func testRefuseEscapesLeavesLengthsAlone() throws {
        try RecordingPath.refuseEscapes("")
        try RecordingPath.refuseEscapes("calls/{room_name}/" + String(repeating: "x", count: 400))
        XCTAssertThrowsError(try RecordingPath.refuseEscapes("{room_name}/../x"))
        XCTAssertThrowsError(try RecordingPath.refuseEscapes("/x"))
    }

    func testLimitsAreInclusive() throws {
        let component = String(repeating: "c", count: RecordingPath.maxComponentBytes)
        XCTAssertNoThrow(try RecordingPath(validating: component))
        let four = Array(repeating: String(repeating: "f", count: 255), count: 4).joined(separator: "/")  // 1,023 bytes
        XCTAssertNoThrow(try RecordingPath(validating: four))
        XCTAssertNoThrow(try RecordingPath(validating: "g/" + four.dropFirst()))  // 1,024
        XCTAssertThrowsError(try RecordingPath(validating: four + "/g")) {  // 1,025
            XCTAssertEqual($0 as? RecordingPathError, .tooLong(bytes: 1025))
        }
    }

    func testRelativeFindsTheWorkersFile() throws {
        let path = try RecordingPath(validating: "calls/r/track")
        let local = path.local(under: "/rec")
        XCTAssertEqual(local, "/rec/calls/r/track")
        XCTAssertEqual(RecordingPath.relative(local + ".ogg", under: "/rec")?.description, "calls/r/track.ogg")
        XCTAssertNil(RecordingPath.relative("/elsewhere/track.ogg", under: "/rec"))
        XCTAssertNil(RecordingPath.relative("/recordings/x.ogg", under: "/rec"))
    }

    func testRenamingFileRevalidates() throws {
        let path = try RecordingPath(validating: "calls/" + String(repeating: "n", count: 253))
        XCTAssertThrowsError(try path.renamingFile(path.fileName + ".mp4"))
        XCTAssertEqual(try path.renamingFile("x.mp4").description, "calls/x.mp4")
    }
}
