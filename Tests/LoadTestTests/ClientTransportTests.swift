import DTLS
import ICE
import RTP
import XCTest
@testable import LoadTest

/// Our client transport against the server's own building blocks (ICE-lite agent, DTLS
/// server endpoint, SRTP), wired by hand: no sockets.
final class ClientTransportTests: XCTestCase {
    func testConnectsAndExchangesSRTP() throws {
        let serverCertificate = try DTLSCertificate.generate(commonName: "server")
        let clientCertificate = try DTLSCertificate.generate(commonName: "client")
        let serverCredentials = ICECredentials.random()
        let clientCredentials = ICECredentials.random()
        let clientAddress = TransportAddress(ip: [127, 0, 0, 1], port: 50_000)
        var lite = ICELiteAgent(localUfrag: serverCredentials.ufrag, localPassword: serverCredentials.password,
                                remoteUfrag: clientCredentials.ufrag, remotePassword: clientCredentials.password)
        let serverDTLS = try DTLSEndpoint(role: .server, certificate: serverCertificate,
                                          remoteFingerprint: ("sha-256", clientCertificate.fingerprintSHA256))
        let client = try ClientTransport(localUfrag: clientCredentials.ufrag, remoteUfrag: serverCredentials.ufrag,
                                         remotePassword: serverCredentials.password, certificate: clientCertificate,
                                         remoteFingerprint: (algorithm: "sha-256", value: serverCertificate.fingerprintSHA256))
        var serverSRTP: SRTPSession?
        var toServer: [[UInt8]] = []
        var toClient: [[UInt8]] = []
        var clientConnected = false

        func collect(_ outputs: [ClientTransport.Output]) {
            for output in outputs {
                switch output {
                case .send(let bytes): toServer.append(bytes)
                case .connected: clientConnected = true
                case .failed(let reason): XCTFail(reason)
                }
            }
        }

        var now = 0.0
        for _ in 0..<100 where !(clientConnected && serverSRTP != nil) {
            collect(client.tick(now: now))
            for datagram in toServer {
                datagram.withUnsafeBytes { bytes in
                    if classifyPacket(bytes) == .stun {
                        for case .send(let response, _) in lite.handleSTUN(bytes, from: clientAddress, now: now) { toClient.append(response) }
                    } else {
                        for output in serverDTLS.receive(bytes) {
                            switch output {
                            case .send(let reply): toClient.append(reply)
                            case .connected(let keys): serverSRTP = try! SRTPSession(keyingMaterial: keys)
                            default: break
                            }
                        }
                    }
                }
            }
            toServer = []
            for datagram in toClient {
                var copy = datagram
                let received = copy.withUnsafeMutableBytes { client.receive($0, now: now) }
                if case .control(let outputs) = received { collect(outputs) }
            }
            toClient = []
            now += 0.05
        }
        XCTAssertTrue(clientConnected)
        XCTAssertEqual(client.state, .connected)
        let server = try XCTUnwrap(serverSRTP)
        XCTAssertEqual(server.profile, .aeadAes128Gcm)  // both sides prefer GCM (RFC 7714)

        // RTP client → server.
        let packet = buildRTPPacket(payloadType: 111, marker: true, sequenceNumber: 7, timestamp: 960, ssrc: 0xABCD, payload: [1, 2, 3, 4])
        var buffer = packet + [UInt8](repeating: 0, count: SRTPTrailer.reserve)
        let protected = try XCTUnwrap(buffer.withUnsafeMutableBytes { client.protectRTP($0.baseAddress!, length: packet.count) })
        XCTAssertGreaterThan(protected, packet.count)
        let plain = try buffer.withUnsafeMutableBytes { try server.unprotectRTP($0.baseAddress!, length: protected) }
        XCTAssertEqual(Array(buffer[0..<plain]), packet)

        // RTCP server → client.
        let rtcp = RTCPCompound.serialize(.pli(PictureLossIndication(senderSSRC: 1, mediaSSRC: 0xABCD)))
        var rtcpBuffer = rtcp + [UInt8](repeating: 0, count: SRTPTrailer.reserve)
        let rtcpLength = try rtcpBuffer.withUnsafeMutableBytes { try server.protectRTCP($0.baseAddress!, length: rtcp.count) }
        var wire = Array(rtcpBuffer[0..<rtcpLength])
        let received = wire.withUnsafeMutableBytes { client.receive($0, now: now) }
        guard case .rtcp(let length) = received else { return XCTFail("expected RTCP, got \(received)") }
        XCTAssertEqual(Array(wire[0..<length]), rtcp)
    }
}
