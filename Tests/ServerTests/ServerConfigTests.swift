import Config
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

    func testConnectionKeysHaveDefaultsAndAreValidated() throws {
        let defaults = try ServerConfig.parse("[keys]\na = \"b\"\n")
        XCTAssertEqual(defaults.connections, ConnectionSettings(maxConnections: 10_000, idleTimeout: 30, headerTimeout: 10, bodyTimeout: 30))
        let set = try ServerConfig.parse("""
            [server]
            max_connections = 20
            idle_timeout = 2
            header_timeout = 0.5
            body_timeout = 3
            [keys]
            a = "b"
            """)
        XCTAssertEqual(set.connections, ConnectionSettings(maxConnections: 20, idleTimeout: 2, headerTimeout: 0.5, bodyTimeout: 3))
        for (line, key) in [("max_connections = 0", "server.max_connections"), ("idle_timeout = 0", "server.idle_timeout"),
                            ("header_timeout = \"10\"", "server.header_timeout"), ("body_timeout = -1", "server.body_timeout"),
                            ("read_timeout = 3", "server.read_timeout")] {
            XCTAssertThrowsError(try ServerConfig.parse("[server]\n\(line)\n[keys]\na = \"b\"\n"), line) { error in
                XCTAssertEqual((error as? ConfigError)?.key, key, line)
            }
        }
    }
}
