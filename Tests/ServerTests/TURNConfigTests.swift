import Config
import Signal
import XCTest
@testable import Server

final class TURNConfigTests: XCTestCase {
    func testNoTURNByDefault() throws {
        XCTAssertNil(try ServerConfig.parse("[keys]\na = \"b\"\n").turn)
    }

    func testEveryKeyIsRead() throws {
        let config = try ServerConfig.parse("""
            [keys]
            a = "b"

            [turn]
            urls = ["turn:10.0.0.1:3478?transport=udp", "turns:turn.example.com:5349?transport=tcp"]
            secret = "s3cret"
            ttl = 600
            """)
        XCTAssertEqual(config.turn, TURNRelays(urls: ["turn:10.0.0.1:3478?transport=udp", "turns:turn.example.com:5349?transport=tcp"],
                                               secret: "s3cret", ttl: 600))
        XCTAssertEqual(try ServerConfig.parse("[keys]\na = \"b\"\n[turn]\nurls = [\"turn:h:3478\"]\nsecret = \"x\"\n").turn?.ttl,
                       TURNRelays.defaultTTL)
    }

    func testBadValuesAreNamed() {
        let cases: [(String, String)] = [
            ("[turn]\nsecret = \"x\"\n", "turn.urls"),
            ("[turn]\nurls = []\nsecret = \"x\"\n", "turn.urls"),
            ("[turn]\nurls = [\"http://h\"]\nsecret = \"x\"\n", "turn.urls"),
            ("[turn]\nurls = [\"turn:h:3478\"]\n", "turn.secret"),
            ("[turn]\nurls = [\"turn:h:3478\"]\nsecret = \"\"\n", "turn.secret"),
            ("[turn]\nurls = [\"turn:h:3478\"]\nsecret = \"x\"\nttl = 5\n", "turn.ttl"),
            ("[turn]\nurls = [\"turn:h:3478\"]\nsecret = \"x\"\nrealm = \"r\"\n", "turn.realm"),
        ]
        for (section, key) in cases {
            XCTAssertThrowsError(try ServerConfig.parse("[keys]\na = \"b\"\n" + section), section) { error in
                XCTAssertEqual((error as? ConfigError)?.key, key, section)
            }
        }
    }
}
