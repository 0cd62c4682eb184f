import Config
import Foundation
import XCTest
@testable import Server

final class MediaThreadsConfigTests: XCTestCase {
    func testDefaultIsOneMediaThreadPerCore() throws {
        let config = try ServerConfig.parse("[keys]\na = \"b\"\n")
        XCTAssertEqual(config.mediaThreads, 0)
        XCTAssertEqual(config.effectiveMediaThreads, ProcessInfo.processInfo.activeProcessorCount)
    }

    func testAnExplicitCountIsKept() throws {
        let config = try ServerConfig.parse("[rtc]\nmedia_threads = 3\n[keys]\na = \"b\"\n")
        XCTAssertEqual(config.effectiveMediaThreads, 3)
    }

    func testOutOfRangeOrWrongTypeIsNamed() {
        for value in ["-1", "257", "\"two\""] {
            XCTAssertThrowsError(try ServerConfig.parse("[rtc]\nmedia_threads = \(value)\n[keys]\na = \"b\"\n")) { error in
                XCTAssertEqual((error as? ConfigError)?.key, "rtc.media_threads", value)
            }
        }
    }
}
