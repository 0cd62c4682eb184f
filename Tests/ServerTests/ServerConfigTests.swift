import XCTest
@testable import Server

final class ServerConfigTests: XCTestCase {
    func testCommittedConfigParses() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../sfu.toml").standardized
        let config = try ServerConfig.parse(String(contentsOf: url, encoding: .utf8))
        XCTAssertEqual(config.bind, "127.0.0.1")
        XCTAssertEqual(config.port, 7880)
        XCTAssertEqual(config.udpPort, 7882)
        XCTAssertEqual(config.keys, ["devkey": "secret"])
        XCTAssertEqual(config.logLevel, "info")
        XCTAssertEqual(config.inboundLossPercent, 0)
    }

    func testUnknownKeyIsNamed() {
        XCTAssertThrowsError(try ServerConfig.parse("[server]\nbind = \"127.0.0.1\"\nprot = 1\n[keys]\na = \"b\"\n")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "server.prot")
        }
    }

    func testUnknownSectionIsNamed() {
        XCTAssertThrowsError(try ServerConfig.parse("[keys]\na = \"b\"\n[servre]\nport = 1\n")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "servre")
        }
    }

    func testWrongTypeAndRange() {
        XCTAssertThrowsError(try ServerConfig.parse("[server]\nport = \"x\"\n[keys]\na = \"b\"\n")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "server.port")
        }
        XCTAssertThrowsError(try ServerConfig.parse("[rtc]\nudp_port = 70000\n[keys]\na = \"b\"\n")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "rtc.udp_port")
        }
        XCTAssertThrowsError(try ServerConfig.parse("[logging]\nlevel = \"loud\"\n[keys]\na = \"b\"\n")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "logging.level")
        }
    }

    func testKeysRequiredAndNonEmpty() {
        XCTAssertThrowsError(try ServerConfig.parse("[server]\nport = 1\n")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "keys")
        }
        XCTAssertThrowsError(try ServerConfig.parse("[keys]\na = \"\"\n")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "keys.a")
        }
    }

    func testGarbageIsAClearError() {
        XCTAssertThrowsError(try ServerConfig.parse("[[[ not toml")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "<file>")
        }
    }

    func testLossSettings() throws {
        let config = try ServerConfig.parse("[keys]\na = \"b\"\n[testing]\ninbound_loss_percent = 5\noutbound_loss_percent = 2.5\n")
        XCTAssertEqual(config.inboundLossPercent, 5)
        XCTAssertEqual(config.outboundLossPercent, 2.5)
        XCTAssertThrowsError(try ServerConfig.parse("[keys]\na = \"b\"\n[testing]\ninbound_loss_percent = 101\n"))
    }
}
