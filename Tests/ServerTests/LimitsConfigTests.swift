import Config
import XCTest
@testable import Server

final class LimitsConfigTests: XCTestCase {
    func testDefaultsStopAFloodWithoutHurtingSDKs() throws {
        let limits = try ServerConfig.parse("[keys]\na = \"b\"\n").limits
        XCTAssertEqual(limits.signalRequestsPerSecond, 100)
        XCTAssertEqual(limits.signalRequestBurst, 300)
        XCTAssertEqual(limits.metadataUpdatesPerSecond, 10)
        XCTAssertEqual(limits.metadataUpdateBurst, 20)
        XCTAssertEqual(limits.dataMessagesPerSecond, 500)
        XCTAssertEqual(limits.dataMessageBurst, 1000)
        XCTAssertEqual(limits.maxMetadataSize, 512 * 1024)
        XCTAssertEqual(limits.maxAttributesSize, 64 * 1024)
        XCTAssertEqual(limits.maxNameLength, 256)
    }

    func testEveryKeyIsRead() throws {
        let text = """
            [limits]
            signal_requests_per_second = 50
            signal_request_burst = 60
            metadata_updates_per_second = 2.5
            metadata_update_burst = 3
            data_messages_per_second = 0
            data_message_burst = 7
            max_metadata_size = 1000
            max_attributes_size = 2000
            max_participant_name_length = 30
            [keys]
            a = "b"
            """
        let limits = try ServerConfig.parse(text).limits
        XCTAssertEqual(limits.signalRequestsPerSecond, 50)
        XCTAssertEqual(limits.signalRequestBurst, 60)
        XCTAssertEqual(limits.metadataUpdatesPerSecond, 2.5)
        XCTAssertEqual(limits.metadataUpdateBurst, 3)
        XCTAssertEqual(limits.dataMessagesPerSecond, 0, "0 turns the limit off")
        XCTAssertEqual(limits.dataMessageBurst, 7)
        XCTAssertEqual(limits.maxMetadataSize, 1000)
        XCTAssertEqual(limits.maxAttributesSize, 2000)
        XCTAssertEqual(limits.maxNameLength, 30)
    }

    func testBadValuesAndUnknownKeysAreNamed() {
        for (line, key) in [("signal_requests_per_second = -1", "limits.signal_requests_per_second"),
                            ("metadata_update_burst = 0", "limits.metadata_update_burst"),
                            ("data_messages_per_second = \"many\"", "limits.data_messages_per_second"),
                            ("max_metadata_size = -5", "limits.max_metadata_size")] {
            XCTAssertThrowsError(try ServerConfig.parse("[limits]\n\(line)\n[keys]\na = \"b\"\n")) { error in
                XCTAssertEqual((error as? ConfigError)?.key, key, line)
            }
        }
        XCTAssertThrowsError(try ServerConfig.parse("[limits]\nrequests = 5\n[keys]\na = \"b\"\n"))
    }
}
