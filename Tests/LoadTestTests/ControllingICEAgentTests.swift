import ICE
import XCTest
@testable import LoadTest

final class ControllingICEAgentTests: XCTestCase {
    let server = (ufrag: "srvU", password: "serverpasswordserverpassword")
    let client = (ufrag: "cliU", password: "clientpasswordclientpassword")
    let clientAddress = TransportAddress(ip: [127, 0, 0, 1], port: 40_000)

    private func makeAgent() -> ControllingICEAgent {
        ControllingICEAgent(localUfrag: client.ufrag, remoteUfrag: server.ufrag, remotePassword: server.password, tieBreaker: 42)
    }

    private func makeLite() -> ICELiteAgent {
        ICELiteAgent(localUfrag: server.ufrag, localPassword: server.password, remoteUfrag: client.ufrag, remotePassword: client.password)
    }

    /// RFC 8445 §7.2.2 / §7.1.1: USERNAME "<remote>:<local>", PRIORITY, ICE-CONTROLLING,
    /// USE-CANDIDATE, MESSAGE-INTEGRITY with the remote password, FINGERPRINT.
    func testRequestCarriesTheControllingAttributes() throws {
        var agent = makeAgent()
        let (request, event) = agent.tick(now: 0)
        XCTAssertNil(event)
        let bytes = try XCTUnwrap(request)
        try bytes.withUnsafeBytes { raw in
            let message = try STUNMessage.parse(raw)
            XCTAssertEqual(message.messageClass, .request)
            XCTAssertEqual(message.username, "srvU:cliU")
            XCTAssertEqual(message.iceControlling, 42)
            XCTAssertNil(message.iceControlled)
            XCTAssertTrue(message.useCandidate)
            XCTAssertEqual(message.priority, candidatePriority(typePreference: 110, localPreference: 65535, componentID: 1))
            XCTAssertNotNil(message.fingerprint)
            XCTAssertNoThrow(try STUNMessage.verifyIntegrity(raw, key: Array(server.password.utf8)))
        }
        XCTAssertEqual(agent.state, .checking)
    }

    /// An ICE-lite agent (ours, from the server) nominates the pair and answers; the answer
    /// connects us, and later checks refresh consent.
    func testConnectsThroughALiteAgent() throws {
        var agent = makeAgent()
        var lite = makeLite()
        let request = try XCTUnwrap(agent.tick(now: 0).request)
        let actions = request.withUnsafeBytes { lite.handleSTUN($0, from: clientAddress, now: 0) }
        XCTAssertTrue(actions.contains(.selectedAddressChanged(clientAddress)))
        XCTAssertEqual(lite.state, .connected)
        guard case .send(let response, _)? = actions.first else { return XCTFail("no response") }
        XCTAssertEqual(response.withUnsafeBytes { agent.receive($0, now: 0.01) }, .connected)
        XCTAssertEqual(agent.state, .connected)
        // Nothing due before the consent interval; then a check that the lite agent answers.
        XCTAssertNil(agent.tick(now: 1).request)
        let consent = try XCTUnwrap(agent.tick(now: 2.5).request)
        let answer = consent.withUnsafeBytes { lite.handleSTUN($0, from: clientAddress, now: 2.5) }
        guard case .send(let refreshed, _)? = answer.first else { return XCTFail("no consent response") }
        XCTAssertEqual(refreshed.withUnsafeBytes { agent.receive($0, now: 2.6) }, .consentRefreshed)
        XCTAssertEqual(agent.responsesAccepted, 2)
    }

    func testRetriesThenGivesUp() {
        var agent = makeAgent()
        XCTAssertNotNil(agent.tick(now: 0).request)
        XCTAssertNil(agent.tick(now: 0.05).request)
        XCTAssertNotNil(agent.tick(now: 0.1).request)
        XCTAssertNotNil(agent.tick(now: 0.2).request)
        let (request, event) = agent.tick(now: 15)
        XCTAssertNil(request)
        guard case .failed? = event else { return XCTFail("expected failure") }
        XCTAssertEqual(agent.state, .failed)
    }

    func testConsentExpires() throws {
        var agent = makeAgent()
        var lite = makeLite()
        let request = try XCTUnwrap(agent.tick(now: 0).request)
        let actions = request.withUnsafeBytes { lite.handleSTUN($0, from: clientAddress, now: 0) }
        guard case .send(let response, _)? = actions.first else { return XCTFail("no response") }
        _ = response.withUnsafeBytes { agent.receive($0, now: 0) }
        let (_, event) = agent.tick(now: 30)
        guard case .failed? = event else { return XCTFail("expected consent failure") }
    }

    func testIgnoresForeignAndForgedResponses() throws {
        var agent = makeAgent()
        let request = try XCTUnwrap(agent.tick(now: 0).request)
        let id = request.withUnsafeBytes { try! STUNMessage.parse($0).transactionID }
        // Unknown transaction.
        let stranger = STUNMessage(messageClass: .successResponse, transactionID: STUNMessage.randomTransactionID(),
                                   attributes: [.xorMappedAddress(clientAddress)])
        XCTAssertNil(stranger.encode(integrityKey: Array(server.password.utf8), fingerprint: true).withUnsafeBytes { agent.receive($0, now: 0) })
        // Right transaction, wrong key.
        let forged = STUNMessage(messageClass: .successResponse, transactionID: id, attributes: [.xorMappedAddress(clientAddress)])
        XCTAssertNil(forged.encode(integrityKey: Array("wrong".utf8), fingerprint: true).withUnsafeBytes { agent.receive($0, now: 0) })
        XCTAssertEqual(agent.state, .checking)
        // Garbage.
        XCTAssertNil([UInt8](repeating: 1, count: 30).withUnsafeBytes { agent.receive($0, now: 0) })
        // A 401 ends it.
        let refused = STUNMessage(messageClass: .errorResponse, transactionID: id, attributes: [.errorCode(code: 401, reason: "Unauthenticated")])
        guard case .failed? = refused.encode(integrityKey: nil, fingerprint: true).withUnsafeBytes({ agent.receive($0, now: 0) }) else {
            return XCTFail("expected failure")
        }
    }
}
