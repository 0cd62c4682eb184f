import XCTest
@testable import DTLS

final class DTLSEndpointTests: XCTestCase {
    func testHandshakeCompletesWithMirroredKeysAndPrefersGCM() throws {
        let pair = try DTLSPair()
        XCTAssertNil(pair.client.nextTimeout, "no timer before start")
        pair.handshake()
        XCTAssertEqual(pair.clientEvents.failures, [])
        XCTAssertEqual(pair.serverEvents.failures, [])
        XCTAssertTrue(pair.client.isConnected)
        XCTAssertTrue(pair.server.isConnected)
        XCTAssertEqual(pair.clientEvents.connected.count, 1)
        XCTAssertEqual(pair.serverEvents.connected.count, 1)
        let clientKeys = try XCTUnwrap(pair.clientEvents.connected.first)
        let serverKeys = try XCTUnwrap(pair.serverEvents.connected.first)
        XCTAssertEqual(clientKeys.profile, .aeadAes128Gcm)
        XCTAssertEqual(serverKeys.profile, .aeadAes128Gcm)
        XCTAssertEqual(clientKeys.localMasterKey, serverKeys.remoteMasterKey)
        XCTAssertEqual(clientKeys.localMasterSalt, serverKeys.remoteMasterSalt)
        XCTAssertEqual(clientKeys.remoteMasterKey, serverKeys.localMasterKey)
        XCTAssertEqual(clientKeys.remoteMasterSalt, serverKeys.localMasterSalt)
        XCTAssertEqual(clientKeys.localMasterKey.count, 16)
        XCTAssertEqual(clientKeys.localMasterSalt.count, 12)
        XCTAssertNotEqual(clientKeys.localMasterKey, clientKeys.remoteMasterKey)
        XCTAssertEqual(pair.client.keyingMaterial, clientKeys)
    }

    func testDatagramsRespectMTU() throws {
        let pair = try DTLSPair(mtu: 300)
        pair.clientEvents.add(pair.client.start())
        var largest = 0
        for _ in 0..<20 {
            let toServer = pair.clientEvents.takeDatagrams()
            let toClient = pair.serverEvents.takeDatagrams()
            if toServer.isEmpty && toClient.isEmpty { break }
            largest = max(largest, toServer.map(\.count).max() ?? 0, toClient.map(\.count).max() ?? 0)
            for d in toServer { pair.serverEvents.add(pair.server.receive(d)) }
            for d in toClient { pair.clientEvents.add(pair.client.receive(d)) }
        }
        XCTAssertTrue(pair.client.isConnected)
        XCTAssertTrue(pair.server.isConnected)
        XCTAssertLessThanOrEqual(largest, 300)
        XCTAssertGreaterThan(largest, 100)
    }

    func testWrongFingerprintFailsOnClient() throws {
        let other = try DTLSCertificate.generate()
        let pair = try DTLSPair(clientExpects: other.fingerprintSHA256)
        pair.handshake()
        XCTAssertEqual(pair.clientEvents.failures, [.fingerprintMismatch])
        XCTAssertEqual(pair.clientEvents.connected.count, 0, "keys must not be released")
        XCTAssertFalse(pair.client.isConnected)
        XCTAssertNil(pair.client.keyingMaterial)
    }

    func testWrongFingerprintFailsOnServer() throws {
        let other = try DTLSCertificate.generate()
        let pair = try DTLSPair(serverExpects: other.fingerprintSHA256)
        pair.handshake()
        XCTAssertEqual(pair.serverEvents.failures, [.fingerprintMismatch])
        XCTAssertEqual(pair.serverEvents.connected.count, 0)
        XCTAssertFalse(pair.server.isConnected)
        // The server told the client (close_notify) so it does not wait for a timeout.
        XCTAssertFalse(pair.client.isConnected)
        XCTAssertEqual(pair.clientEvents.closed, 1)
    }

    func testOtherFingerprintAlgorithmsAreAccepted() throws {
        let clientCertificate = try DTLSCertificate.generate()
        let serverCertificate = try DTLSCertificate.generate()
        for algorithm in CertificateFingerprint.Algorithm.allCases {
            let serverDigest = try XCTUnwrap(CertificateFingerprint.digest(of: serverCertificate.x509, algorithm: algorithm))
            let clientDigest = try XCTUnwrap(CertificateFingerprint.digest(of: clientCertificate.x509, algorithm: algorithm))
            // Lower-case value and upper-case algorithm name must be accepted too.
            let client = try DTLSEndpoint(role: .client, certificate: clientCertificate,
                                          remoteFingerprint: (algorithm.rawValue.uppercased(), CertificateFingerprint.format(serverDigest).lowercased()))
            let server = try DTLSEndpoint(role: .server, certificate: serverCertificate,
                                          remoteFingerprint: (algorithm.rawValue, CertificateFingerprint.format(clientDigest)))
            var c = Collected(), s = Collected()
            c.add(client.start())
            for _ in 0..<10 {
                for d in c.takeDatagrams() { s.add(server.receive(d)) }
                for d in s.takeDatagrams() { c.add(client.receive(d)) }
            }
            XCTAssertTrue(client.isConnected, "\(algorithm)")
            XCTAssertTrue(server.isConnected, "\(algorithm)")
        }
    }

    func testInvalidRemoteFingerprintIsRejectedAtInit() throws {
        let certificate = try DTLSCertificate.generate()
        XCTAssertThrowsError(try DTLSEndpoint(role: .client, certificate: certificate, remoteFingerprint: ("md5", "AB:CD")))
        XCTAssertThrowsError(try DTLSEndpoint(role: .client, certificate: certificate, remoteFingerprint: ("sha-256", "AB:CD")))
        XCTAssertThrowsError(try DTLSEndpoint(role: .client, certificate: certificate, remoteFingerprint: ("sha-256", "zz")))
    }

    func testGarbageDatagramsDoNotCrashOrBreakTheHandshake() throws {
        var random = SplitMix64(state: 42)
        let pair = try DTLSPair()
        // Garbage before anything: the server must survive and still accept a real ClientHello.
        for length in [1, 12, 13, 14, 25, 100, 1500] {
            var junk = random.bytes(length)
            junk[0] = 22  // looks like a handshake record
            pair.serverEvents.add(pair.server.receive(junk))
            XCTAssertEqual(pair.serverEvents.failures, [], "length \(length)")
        }
        pair.serverEvents.datagrams = []
        pair.handshake()
        XCTAssertTrue(pair.client.isConnected)
        XCTAssertTrue(pair.server.isConnected)
        // Garbage after the handshake: records that fail authentication are dropped (RFC 6347 §4.1.2.7).
        for round in 0..<200 {
            var junk = random.bytes(Int(random.next() % 300) + 1)
            junk[0] = UInt8(20 + random.next() % 44)
            if junk.count >= 3 && round % 2 == 0 { junk[1] = 0xFE; junk[2] = 0xFD }
            let outputs = pair.server.receive(junk)
            pair.serverEvents.add(outputs)
        }
        XCTAssertEqual(pair.serverEvents.applicationData, [])
        // Still usable (unless a junk record happened to be a valid alert, which random bytes cannot forge).
        pair.clientEvents.add(pair.client.send(applicationData: [1, 2, 3]))
        pair.pump()
        XCTAssertEqual(pair.serverEvents.applicationData, [[1, 2, 3]])
        XCTAssertTrue(pair.server.isConnected)
        XCTAssertTrue(pair.server.receive([UInt8]()).isEmpty)
    }

    func testLostClientHelloIsRetransmittedAfterTimeout() throws {
        let pair = try DTLSPair()
        pair.clientEvents.add(pair.client.start())
        let lost = pair.clientEvents.takeDatagrams()
        XCTAssertFalse(lost.isEmpty)
        XCTAssertTrue(pair.client.handleTimeout().isEmpty, "nothing before the timer expires")
        let wait = try XCTUnwrap(pair.client.nextTimeout)
        XCTAssertGreaterThan(wait, 0)
        XCTAssertLessThanOrEqual(wait, 0.2)
        Thread.sleep(forTimeInterval: wait + 0.01)
        pair.clientEvents.add(pair.client.handleTimeout())
        XCTAssertFalse(pair.clientEvents.datagrams.isEmpty, "ClientHello retransmitted")
        pair.pump()
        XCTAssertTrue(pair.client.isConnected)
        XCTAssertTrue(pair.server.isConnected)
    }

    func testLostServerFlightIsRecovered() throws {
        let pair = try DTLSPair()
        pair.clientEvents.add(pair.client.start())
        for d in pair.clientEvents.takeDatagrams() { pair.serverEvents.add(pair.server.receive(d)) }
        XCTAssertFalse(pair.serverEvents.takeDatagrams().isEmpty)  // ServerHello..ServerHelloDone: lost
        // Either side's timer resends; drive both until the handshake completes.
        for _ in 0..<5 where !(pair.client.isConnected && pair.server.isConnected) {
            let waits = [pair.client.nextTimeout, pair.server.nextTimeout].compactMap { $0 }
            Thread.sleep(forTimeInterval: (waits.min() ?? 0) + 0.01)
            pair.clientEvents.add(pair.client.handleTimeout())
            pair.serverEvents.add(pair.server.handleTimeout())
            pair.pump()
        }
        XCTAssertTrue(pair.client.isConnected)
        XCTAssertTrue(pair.server.isConnected)
        XCTAssertEqual(pair.clientEvents.connected.first?.localMasterKey, pair.serverEvents.connected.first?.remoteMasterKey)
    }

    func testLostFinalServerFlightIsRecovered() throws {
        let pair = try DTLSPair()
        pair.clientEvents.add(pair.client.start())
        for d in pair.clientEvents.takeDatagrams() { pair.serverEvents.add(pair.server.receive(d)) }
        for d in pair.serverEvents.takeDatagrams() { pair.clientEvents.add(pair.client.receive(d)) }
        for d in pair.clientEvents.takeDatagrams() { pair.serverEvents.add(pair.server.receive(d)) }
        XCTAssertTrue(pair.server.isConnected)
        XCTAssertFalse(pair.serverEvents.takeDatagrams().isEmpty)  // ChangeCipherSpec + Finished: lost
        XCTAssertFalse(pair.client.isConnected)
        let wait = try XCTUnwrap(pair.client.nextTimeout)
        Thread.sleep(forTimeInterval: wait + 0.01)
        pair.clientEvents.add(pair.client.handleTimeout())  // client resends its flight, server answers
        pair.pump()
        XCTAssertTrue(pair.client.isConnected)
        XCTAssertEqual(pair.serverEvents.connected.count, 1, "connected reported once")
        XCTAssertEqual(pair.clientEvents.connected.count, 1)
    }

    func testApplicationDataBothWays() throws {
        let pair = try DTLSPair()
        XCTAssertEqual(pair.client.send(applicationData: [1]).count, 1)
        if case .failed(let error)? = pair.client.send(applicationData: [1]).first {
            XCTAssertEqual(error, .notConnected)
        } else {
            XCTFail("expected notConnected")
        }
        pair.handshake()
        let big = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
        pair.clientEvents.add(pair.client.send(applicationData: big))
        pair.serverEvents.add(pair.server.send(applicationData: [9, 8, 7]))
        pair.pump()
        XCTAssertEqual(pair.serverEvents.applicationData, [big])
        XCTAssertEqual(pair.clientEvents.applicationData, [[9, 8, 7]])
    }

    func testCloseNotifyReachesPeer() throws {
        let pair = try DTLSPair()
        pair.handshake()
        pair.clientEvents.add(pair.client.close())
        XCTAssertEqual(pair.clientEvents.closed, 1)
        XCTAssertFalse(pair.clientEvents.datagrams.isEmpty, "close_notify sent")
        pair.pump()
        XCTAssertEqual(pair.serverEvents.closed, 1)
        XCTAssertFalse(pair.server.isConnected)
        XCTAssertTrue(pair.client.close().isEmpty, "closing twice is a no-op")
        XCTAssertNil(pair.client.nextTimeout)
    }
}
