import Foundation
import XCTest
@testable import SDP

/// Loads SDP fixtures copied into the test bundle.
enum Fixture {
    static let livekitFiles = [
        "v0_01_client_offer", "v0_02_client_answer", "v0_03_client_offer",
        "v0_05_client_answer", "v0_06_client_answer", "v1_publisher_offer",
    ]
    static let handWrittenFiles = ["aiortc_offer", "chrome_simulcast_offer"]
    static var allFiles: [String] { livekitFiles + handWrittenFiles }

    static func text(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "sdp", subdirectory: "Fixtures") else {
            XCTFail("missing fixture \(name)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func parsed(_ name: String) throws -> SessionDescription {
        try SessionDescription.parse(try text(name))
    }
}

/// SplitMix64: a small deterministic generator so fuzz tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
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
