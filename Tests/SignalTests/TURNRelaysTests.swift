import Foundation
import XCTest
@testable import Signal

/// coturn's REST credentials (`use-auth-secret`): username "<expiry>:<identity>", password
/// base64(HMAC-SHA1(secret, username)). The expected password was computed independently
/// (Python's hmac and base64 modules).
final class TURNRelaysTests: XCTestCase {
    let relays = TURNRelays(urls: ["turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"],
                            secret: "north-wind", ttl: 3600)
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func testCredentialFollowsCoturnsRESTScheme() {
        let credential = relays.credential(identity: "alice", now: now)
        XCTAssertEqual(credential.username, "1700003600:alice")
        XCTAssertEqual(credential.password, "iRtTIZ3N38dm9S+dP+UkHfnN9Qo=")
    }

    func testJoinResponseCarriesEveryURLWithTheCredential() {
        let servers = relays.iceServers(identity: "alice", now: now)
        XCTAssertEqual(servers.count, 1)
        XCTAssertEqual(servers[0].urls, relays.urls)
        XCTAssertEqual(servers[0].username, "1700003600:alice")
        XCTAssertEqual(servers[0].credential, "iRtTIZ3N38dm9S+dP+UkHfnN9Qo=")
        // Each identity gets its own credential.
        XCTAssertNotEqual(relays.iceServers(identity: "bob", now: now)[0].credential, servers[0].credential)
    }

    func testLinkHeadersFollowRFC9725() {
        let links = relays.linkHeaders(identity: "whip-x", now: now)
        XCTAssertEqual(links.count, 2)
        let username = relays.credential(identity: "whip-x", now: now).username
        XCTAssertTrue(links[0].hasPrefix("<turn:127.0.0.1:3478?transport=udp>; rel=\"ice-server\"; username=\"\(username)\"; credential=\""))
        XCTAssertTrue(links[1].hasSuffix("credential-type=\"password\""))
    }

    func testOnlyICEServerURIsAreAccepted() {
        XCTAssertTrue(TURNRelays.isICEServerURL("turns:relay.example.com:5349?transport=tcp"))
        XCTAssertTrue(TURNRelays.isICEServerURL("stun:127.0.0.1:3478"))
        XCTAssertFalse(TURNRelays.isICEServerURL("http://relay.example.com"))
        XCTAssertFalse(TURNRelays.isICEServerURL("turn:"))
    }
}
