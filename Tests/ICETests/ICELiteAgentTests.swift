import XCTest
import ICE

final class ICELiteAgentTests: XCTestCase {
    let localUfrag = "LOCL"
    let localPassword = "localpasswordlocalpassword"
    let remoteUfrag = "RMTE"
    let peerA = TransportAddress(string: "192.0.2.10", port: 50000)!
    let peerB = TransportAddress(string: "2001:db8::20", port: 50001)!

    private func makeAgent() -> ICELiteAgent {
        ICELiteAgent(localUfrag: localUfrag, localPassword: localPassword, remoteUfrag: remoteUfrag, remotePassword: "remotepasswordremotepassword")
    }

    /// A Binding request as a controlling browser would send it (RFC 8445 §7.2.2).
    private func check(username: String? = nil, password: String? = nil, useCandidate: Bool = false,
                       controlled: Bool = false, transactionID: [UInt8] = STUNMessage.randomTransactionID()) -> [UInt8] {
        var attributes: [STUNAttribute] = [.username(username ?? "\(localUfrag):\(remoteUfrag)"), .priority(1_845_501_695)]
        attributes.append(controlled ? .iceControlled(42) : .iceControlling(42))
        if useCandidate { attributes.append(.useCandidate) }
        let message = STUNMessage(messageClass: .request, transactionID: transactionID, attributes: attributes)
        return message.encode(integrityKey: Array((password ?? localPassword).utf8), fingerprint: true)
    }

    private func feed(_ agent: inout ICELiteAgent, _ bytes: [UInt8], from: TransportAddress, at now: Double) -> [ICEAction] {
        bytes.withUnsafeBytes { agent.handleSTUN($0, from: from, now: now) }
    }

    private func sentResponse(_ actions: [ICEAction]) throws -> (bytes: [UInt8], to: TransportAddress) {
        for case .send(let bytes, let to) in actions { return (bytes, to) }
        XCTFail("no send action in \(actions)")
        throw STUNError.tooShort
    }

    func testValidCheckGetsVerifiableSuccessResponse() throws {
        var agent = makeAgent()
        let id = STUNMessage.randomTransactionID()
        let actions = feed(&agent, check(transactionID: id), from: peerA, at: 0)
        let (bytes, to) = try sentResponse(actions)
        XCTAssertEqual(to, peerA)
        let response = try STUNMessage.parse(bytes)  // also validates FINGERPRINT
        XCTAssertEqual(response.messageClass, .successResponse)
        XCTAssertEqual(response.method, .binding)
        XCTAssertEqual(response.transactionID, id)
        XCTAssertEqual(response.xorMappedAddress, peerA)
        XCTAssertNotNil(response.fingerprint)
        XCTAssertNoThrow(try STUNMessage.verifyIntegrity(bytes, key: Array(localPassword.utf8)))
        XCTAssertThrowsError(try STUNMessage.verifyIntegrity(bytes, key: Array("other".utf8)))
        // Aggressive: the first valid check selects its address.
        XCTAssertEqual(actions.dropFirst(), [.selectedAddressChanged(peerA), .stateChanged(.connected)])
        XCTAssertEqual(agent.state, .connected)
        XCTAssertEqual(agent.selectedAddress, peerA)
        XCTAssertEqual(agent.droppedMessages, 0)
    }

    func testWrongPasswordGets401WithoutIntegrity() throws {
        var agent = makeAgent()
        let actions = feed(&agent, check(password: "notthepasswordnotthepassword"), from: peerA, at: 0)
        XCTAssertEqual(actions.count, 1)
        let (bytes, to) = try sentResponse(actions)
        XCTAssertEqual(to, peerA)
        let response = try STUNMessage.parse(bytes)
        XCTAssertEqual(response.messageClass, .errorResponse)
        XCTAssertEqual(response.errorCode?.code, 401)
        XCTAssertNil(response.messageIntegrity)
        XCTAssertNil(agent.selectedAddress)
        XCTAssertEqual(agent.state, .new)
        XCTAssertEqual(agent.droppedMessages, 1)
        XCTAssertEqual(agent.rejectedRequests, 1)
    }

    func testWrongUsernameGets401AndMissingUsernameGets400() throws {
        var agent = makeAgent()
        var response = try STUNMessage.parse(sentResponse(feed(&agent, check(username: "OTHER:\(remoteUfrag)"), from: peerA, at: 0)).bytes)
        XCTAssertEqual(response.errorCode?.code, 401)
        response = try STUNMessage.parse(sentResponse(feed(&agent, check(username: "\(localUfrag):WRONG"), from: peerA, at: 0)).bytes)
        XCTAssertEqual(response.errorCode?.code, 401)
        let bare = STUNMessage(messageClass: .request, transactionID: STUNMessage.randomTransactionID()).encode(integrityKey: nil, fingerprint: true)
        response = try STUNMessage.parse(sentResponse(feed(&agent, bare, from: peerA, at: 0)).bytes)
        XCTAssertEqual(response.errorCode?.code, 400)
        XCTAssertNil(agent.selectedAddress)
    }

    func testUnknownRemoteUfragAcceptsAnyPeerUfrag() throws {
        var agent = ICELiteAgent(localUfrag: localUfrag, localPassword: localPassword, remoteUfrag: nil, remotePassword: nil)
        let actions = feed(&agent, check(username: "\(localUfrag):anything"), from: peerA, at: 0)
        XCTAssertEqual(try STUNMessage.parse(sentResponse(actions).bytes).messageClass, .successResponse)
        agent.setRemoteCredentials(ufrag: "NEWR", password: "x")
        let rejected = feed(&agent, check(username: "\(localUfrag):anything"), from: peerA, at: 1)
        XCTAssertEqual(try STUNMessage.parse(sentResponse(rejected).bytes).errorCode?.code, 401)
    }

    func testPeerClaimingControlledGets487() throws {
        var agent = makeAgent()
        let (bytes, _) = try sentResponse(feed(&agent, check(controlled: true), from: peerA, at: 0))
        let response = try STUNMessage.parse(bytes)
        XCTAssertEqual(response.errorCode, STUNErrorCode(code: 487, reason: "Role Conflict"))
        XCTAssertNoThrow(try STUNMessage.verifyIntegrity(bytes, key: Array(localPassword.utf8)))
        XCTAssertNil(agent.selectedAddress)
    }

    func testUseCandidateSelectsAddressWithoutAggressiveNomination() {
        var agent = makeAgent()
        agent.aggressiveNomination = false
        var actions = feed(&agent, check(), from: peerA, at: 0)
        XCTAssertEqual(actions.dropFirst(), [.stateChanged(.checking)])
        XCTAssertNil(agent.selectedAddress)
        actions = feed(&agent, check(useCandidate: true), from: peerB, at: 1)
        XCTAssertEqual(actions.dropFirst(), [.selectedAddressChanged(peerB), .stateChanged(.connected)])
        XCTAssertEqual(agent.selectedAddress, peerB)
        XCTAssertEqual(agent.state, .connected)
    }

    func testNominatedCheckFromNewAddressSwitchesSelection() {
        var agent = makeAgent()
        _ = feed(&agent, check(useCandidate: true), from: peerA, at: 0)
        XCTAssertEqual(agent.selectedAddress, peerA)
        // A non-nominated check from another address does not switch.
        XCTAssertEqual(feed(&agent, check(), from: peerB, at: 1).count, 1)
        XCTAssertEqual(agent.selectedAddress, peerA)
        // A nominated one does.
        XCTAssertEqual(feed(&agent, check(useCandidate: true), from: peerB, at: 2).dropFirst(), [.selectedAddressChanged(peerB)])
        XCTAssertEqual(agent.selectedAddress, peerB)
        // Re-nominating the same address is silent apart from the response.
        XCTAssertEqual(feed(&agent, check(useCandidate: true), from: peerB, at: 3).count, 1)
    }

    func testConsentExpiresAfterThirtySecondsWithoutChecks() {
        var agent = makeAgent()
        _ = feed(&agent, check(useCandidate: true), from: peerA, at: 100)
        XCTAssertEqual(agent.tick(now: 104.9), [])
        XCTAssertEqual(agent.tick(now: 105), [.stateChanged(.disconnected)])
        XCTAssertEqual(agent.tick(now: 110), [])
        XCTAssertEqual(agent.state, .disconnected)
        XCTAssertEqual(agent.tick(now: 130), [.stateChanged(.failed)])
        XCTAssertEqual(agent.state, .failed)
        XCTAssertEqual(agent.tick(now: 200), [])
        // Failed is terminal: later checks are dropped, not answered.
        XCTAssertEqual(feed(&agent, check(useCandidate: true), from: peerA, at: 201), [])
    }

    func testChecksKeepConsentAlive() {
        var agent = makeAgent()
        _ = feed(&agent, check(useCandidate: true), from: peerA, at: 0)
        var now = 0.0
        while now < 120 {
            now += 2.5
            XCTAssertEqual(feed(&agent, check(), from: peerA, at: now).count, 1)
            XCTAssertEqual(agent.tick(now: now + 1), [])
        }
        XCTAssertEqual(agent.state, .connected)
        // Checks from a non-selected address do not refresh consent for the selected one.
        for t in stride(from: 122.5, through: 160, by: 2.5) { _ = feed(&agent, check(), from: peerB, at: t) }
        XCTAssertEqual(agent.tick(now: 160), [.stateChanged(.failed)])
    }

    func testCheckReturnsDisconnectedToConnected() {
        var agent = makeAgent()
        _ = feed(&agent, check(useCandidate: true), from: peerA, at: 0)
        XCTAssertEqual(agent.tick(now: 6), [.stateChanged(.disconnected)])
        XCTAssertEqual(feed(&agent, check(), from: peerA, at: 7).dropFirst(), [.stateChanged(.connected)])
        XCTAssertEqual(agent.state, .connected)
        XCTAssertEqual(agent.tick(now: 11.9), [])
        XCTAssertEqual(agent.tick(now: 12), [.stateChanged(.disconnected)])
    }

    func testNonRequestsAndGarbageAreDropped() {
        var agent = makeAgent()
        XCTAssertEqual(feed(&agent, [1, 2, 3], from: peerA, at: 0), [])
        XCTAssertEqual(feed(&agent, RFC5769.responseIPv4, from: peerA, at: 0), [])
        XCTAssertEqual(agent.droppedMessages, 2)
        let indication = STUNMessage(messageClass: .indication, transactionID: STUNMessage.randomTransactionID()).encode(integrityKey: nil, fingerprint: true)
        XCTAssertEqual(feed(&agent, indication, from: peerA, at: 0), [])
        XCTAssertEqual(agent.state, .new)
    }

    func testClose() {
        var agent = makeAgent()
        _ = feed(&agent, check(), from: peerA, at: 0)
        XCTAssertEqual(agent.close(), [.stateChanged(.closed)])
        XCTAssertEqual(agent.close(), [])
        XCTAssertEqual(feed(&agent, check(), from: peerA, at: 1), [])
        XCTAssertEqual(agent.tick(now: 100), [])
        XCTAssertEqual(agent.state, .closed)
    }

    func testLocalUfragFromUsername() {
        XCTAssertEqual(ICELiteAgent.localUfrag(fromUsername: "abcd:efgh"), "abcd")
        XCTAssertEqual(ICELiteAgent.localUfrag(fromUsername: "abcd:"), "abcd")
        XCTAssertNil(ICELiteAgent.localUfrag(fromUsername: "abcd"))
        XCTAssertNil(ICELiteAgent.localUfrag(fromUsername: ":efgh"))
        XCTAssertNil(ICELiteAgent.localUfrag(fromUsername: ""))
    }
}
