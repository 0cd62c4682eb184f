import XCTest
@testable import SDP

final class ICECandidateTests: XCTestCase {
    func testHostCandidate() throws {
        let value = "2717306602 1 udp 2122194687 192.0.2.2 45852 typ host generation 0 network-id 1"
        let candidate = try ICECandidate.parse(value)
        XCTAssertEqual(candidate.foundation, "2717306602")
        XCTAssertEqual(candidate.component, 1)
        XCTAssertEqual(candidate.transport, "udp")
        XCTAssertEqual(candidate.priority, 2122194687)
        XCTAssertEqual(candidate.address, "192.0.2.2")
        XCTAssertEqual(candidate.port, 45852)
        XCTAssertEqual(candidate.type, "host")
        XCTAssertNil(candidate.relatedAddress)
        XCTAssertEqual(candidate.extensions, [ICECandidateExtension(name: "generation", value: "0"),
                                              ICECandidateExtension(name: "network-id", value: "1")])
        XCTAssertEqual(candidate.sdpValue, value)
    }

    func testRelatedAddressAndPrefix() throws {
        let value = "candidate:842163049 1 udp 1677729535 203.0.113.7 3478 typ srflx raddr 10.0.0.2 rport 50000"
        let candidate = try ICECandidate.parse(value)
        XCTAssertEqual(candidate.type, "srflx")
        XCTAssertEqual(candidate.relatedAddress, "10.0.0.2")
        XCTAssertEqual(candidate.relatedPort, 50000)
        XCTAssertEqual(candidate.sdpValue, String(value.dropFirst("candidate:".count)))
        XCTAssertEqual(try ICECandidate.parse(candidate.sdpValue), candidate)
    }

    func testBuiltCandidate() {
        let candidate = ICECandidate(foundation: "1", priority: ICECandidate.priority(typePreference: 126, localPreference: 65535, component: 1),
                                     address: "192.0.2.10", port: 7882)
        // RFC 8445 §5.1.2.1: (2^24)*126 + (2^8)*65535 + 255
        XCTAssertEqual(candidate.priority, 2_130_706_431)
        XCTAssertEqual(candidate.sdpValue, "1 1 udp 2130706431 192.0.2.10 7882 typ host")
    }

    func testRejectsMalformedCandidates() {
        let bad = [
            "",
            "1 1 udp 100 1.2.3.4 5 host",          // missing "typ"
            "1 1 udp 100 1.2.3.4 5 typ",            // missing type
            "1 0 udp 100 1.2.3.4 5 typ host",       // component 0
            "1 1 udp -1 1.2.3.4 5 typ host",        // negative priority
            "1 1 udp 4294967296 1.2.3.4 5 typ host",// priority overflow
            "1 1 udp 100 1.2.3.4 70000 typ host",   // port range
            "1 1 udp 100 1.2.3.4 5 typ host raddr", // dangling extension name
            "1 1 udp 100 1.2.3.4 5 typ srflx raddr 1.1.1.1 rport x",
            String(repeating: "f", count: 33) + " 1 udp 100 1.2.3.4 5 typ host", // foundation too long
        ]
        for value in bad {
            XCTAssertThrowsError(try ICECandidate.parse(value), value) { error in
                XCTAssertEqual(error as? SDPParseError, .badCandidate(value))
            }
        }
    }
}
