import XCTest
@testable import DTLS

/// Deterministic pseudo-random bytes for fuzz-style tests (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}

/// Events one endpoint reported, and the datagrams it wants sent.
struct Collected {
    var datagrams: [[UInt8]] = []
    var connected: [SRTPKeyingMaterial] = []
    var applicationData: [[UInt8]] = []
    var closed = 0
    var failures: [DTLSError] = []

    mutating func add(_ outputs: [DTLSOutput]) {
        for output in outputs {
            switch output {
            case .send(let bytes): datagrams.append(bytes)
            case .connected(let keys): connected.append(keys)
            case .applicationData(let bytes): applicationData.append(bytes)
            case .closed: closed += 1
            case .failed(let error): failures.append(error)
            }
        }
    }

    mutating func takeDatagrams() -> [[UInt8]] {
        defer { datagrams = [] }
        return datagrams
    }
}

extension DTLSEndpoint {
    func receive(_ bytes: [UInt8]) -> [DTLSOutput] {
        bytes.withUnsafeBytes { receive($0) }
    }
}

/// A client and a server wired together in memory.
final class DTLSPair {
    let clientCertificate: DTLSCertificate
    let serverCertificate: DTLSCertificate
    let client: DTLSEndpoint
    let server: DTLSEndpoint
    var clientEvents = Collected()
    var serverEvents = Collected()

    init(clientExpects: String? = nil, serverExpects: String? = nil, mtu: Int = 1200) throws {
        clientCertificate = try DTLSCertificate.generate(commonName: "client")
        serverCertificate = try DTLSCertificate.generate(commonName: "server")
        client = try DTLSEndpoint(role: .client, certificate: clientCertificate,
                                  remoteFingerprint: ("sha-256", clientExpects ?? serverCertificate.fingerprintSHA256), mtu: mtu)
        server = try DTLSEndpoint(role: .server, certificate: serverCertificate,
                                  remoteFingerprint: ("sha-256", serverExpects ?? clientCertificate.fingerprintSHA256), mtu: mtu)
    }

    /// Delivers datagrams both ways until neither side has anything to send (bounded).
    func pump(maxRounds: Int = 20) {
        for _ in 0..<maxRounds {
            let toServer = clientEvents.takeDatagrams()
            let toClient = serverEvents.takeDatagrams()
            if toServer.isEmpty && toClient.isEmpty { return }
            for datagram in toServer { serverEvents.add(server.receive(datagram)) }
            for datagram in toClient { clientEvents.add(client.receive(datagram)) }
        }
    }

    func handshake() {
        clientEvents.add(client.start())
        serverEvents.add(server.start())
        pump()
    }
}
