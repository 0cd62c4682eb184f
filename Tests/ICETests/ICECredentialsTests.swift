import XCTest
import ICE

final class ICECredentialsTests: XCTestCase {
    func testRandomCredentialsFollowGrammar() {
        let a = ICECredentials.random()
        let b = ICECredentials.random()
        XCTAssertTrue(ICECredentials.isValid(a.ufrag, length: 4...256))
        XCTAssertTrue(ICECredentials.isValid(a.password, length: 22...256))
        XCTAssertNotEqual(a.ufrag, b.ufrag)
        XCTAssertNotEqual(a.password, b.password)
        XCTAssertFalse(ICECredentials.isValid("ab:c", length: 4...256))
    }

    func testHostCandidate() {
        // RFC 8445 §5.1.2.1: 126·2^24 + 65535·2^8 + 255 = 2130706431.
        XCTAssertEqual(candidatePriority(), 2_130_706_431)
        XCTAssertEqual(hostCandidate(address: TransportAddress(string: "192.168.1.5", port: 7882)!),
                       "1 1 udp 2130706431 192.168.1.5 7882 typ host")
        XCTAssertEqual(hostCandidate(address: TransportAddress(string: "::1", port: 9)!, foundation: "2", componentID: 2, localPreference: 1),
                       "2 2 udp \((126 << 24) + (1 << 8) + 254) ::1 9 typ host")
    }

    func testPassiveTCPCandidateRanksBelowUDP() {
        // RFC 8445 §5.1.2.1 with type preference 90 and RFC 6544 §4.2's passive local
        // preference 2^13·4 + 8191 = 40959: 90·2^24 + 40959·2^8 + 255 = 1520435199.
        let address = TransportAddress(string: "127.0.0.1", port: 7881)!
        XCTAssertEqual(passiveTCPCandidate(address: address), "2 1 tcp 1520435199 127.0.0.1 7881 typ host tcptype passive")
        XCTAssertLessThan(UInt32(1_520_435_199), candidatePriority())
    }
}
