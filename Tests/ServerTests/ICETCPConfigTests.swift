import Config
import XCTest
@testable import Server

final class ICETCPConfigTests: XCTestCase {
    func testTheListenerIsOnPort7881UnlessSetOrTurnedOff() throws {
        XCTAssertEqual(try ServerConfig.parse("[keys]\na = \"b\"\n").tcpPort, 7881)
        XCTAssertEqual(try ServerConfig.parse("[keys]\na = \"b\"\n[rtc]\ntcp_port = 9443\n").tcpPort, 9443)
        XCTAssertEqual(try ServerConfig.parse("[keys]\na = \"b\"\n[rtc]\ntcp_port = 0\n").tcpPort, 0)
        for bad in ["70000", "-1", "\"7881\""] {
            XCTAssertThrowsError(try ServerConfig.parse("[keys]\na = \"b\"\n[rtc]\ntcp_port = \(bad)\n")) { error in
                XCTAssertEqual((error as? ConfigError)?.key, "rtc.tcp_port")
            }
        }
    }
}
