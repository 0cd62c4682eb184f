import DTLS
import ICE

/// One simulated peer connection's transport, as a browser runs it toward our server:
/// controlling ICE (`ControllingICEAgent`), then DTLS as the client (`a=setup:active`,
/// RFC 5763 §5) and SRTP with the exported keys (RFC 5764 §4.2; the server picks
/// AEAD_AES_128_GCM, which our DTLS context offers first). First-byte demultiplexing per
/// RFC 7983 §7. No sockets and no timers: the owner feeds datagrams and ticks, and sends
/// what comes back.
final class ClientTransport {
    enum State: Equatable { case checking, handshaking, connected, failed, closed }

    /// What the owner must do, in order.
    enum Output: Equatable {
        case send([UInt8])
        /// DTLS finished and SRTP is ready.
        case connected
        case failed(String)
    }

    /// What a received datagram was, after decryption in place.
    enum Received {
        case nothing
        /// Decrypted RTP of this many bytes at the start of the buffer.
        case rtp(Int)
        /// Decrypted compound RTCP of this many bytes.
        case rtcp(Int)
        /// STUN or DTLS: outputs for the owner.
        case control([Output])
    }

    private(set) var state: State = .checking
    private(set) var ice: ControllingICEAgent
    private let dtls: DTLSEndpoint
    private(set) var srtp: SRTPSession?
    private(set) var srtpErrors = 0

    init(localUfrag: String, remoteUfrag: String, remotePassword: String, certificate: DTLSCertificate,
         remoteFingerprint: (algorithm: String, value: String)) throws {
        ice = ControllingICEAgent(localUfrag: localUfrag, remoteUfrag: remoteUfrag, remotePassword: remotePassword)
        dtls = try DTLSEndpoint(role: .client, certificate: certificate, remoteFingerprint: remoteFingerprint)
    }

    var isConnected: Bool { state == .connected }

    /// Timer work: ICE checks and consent, DTLS retransmissions (RFC 6347 §4.2.4).
    func tick(now: Double) -> [Output] {
        guard state != .failed, state != .closed else { return [] }
        var outputs: [Output] = []
        let (request, event) = ice.tick(now: now)
        if let request { outputs.append(.send(request)) }
        if case .failed(let reason)? = event { fail(reason, &outputs) }
        if state == .handshaking, let due = dtls.nextTimeout, due <= 0 { apply(dtls.handleTimeout(), &outputs) }
        return outputs
    }

    /// Demultiplexes one datagram (RFC 7983 §7) and decrypts media in place.
    func receive(_ bytes: UnsafeMutableRawBufferPointer, now: Double) -> Received {
        guard state != .failed, state != .closed, let base = bytes.baseAddress else { return .nothing }
        switch classifyPacket(UnsafeRawBufferPointer(bytes)) {
        case .stun:
            var outputs: [Output] = []
            switch ice.receive(UnsafeRawBufferPointer(bytes), now: now) {
            case .connected?:
                state = .handshaking
                apply(dtls.start(), &outputs)
            case .failed(let reason)?:
                fail(reason, &outputs)
            case .consentRefreshed?, nil:
                break
            }
            return outputs.isEmpty ? .nothing : .control(outputs)
        case .dtls:
            var outputs: [Output] = []
            apply(dtls.receive(UnsafeRawBufferPointer(bytes)), &outputs)
            return outputs.isEmpty ? .nothing : .control(outputs)
        case .rtp:
            guard let srtp else { return .nothing }
            do { return .rtp(try srtp.unprotectRTP(base, length: bytes.count)) } catch {
                srtpErrors += 1
                return .nothing
            }
        case .rtcp:
            guard let srtp else { return .nothing }
            do { return .rtcp(try srtp.unprotectRTCP(base, length: bytes.count)) } catch {
                srtpErrors += 1
                return .nothing
            }
        case .unknown:
            return .nothing
        }
    }

    /// Protects RTP in place; `capacity` must leave room for the SRTP trailer. Nil on failure.
    @inline(__always)
    func protectRTP(_ buffer: UnsafeMutableRawPointer, length: Int) -> Int? {
        guard let srtp else { return nil }
        do { return try srtp.protectRTP(buffer, length: length) } catch {
            srtpErrors += 1
            return nil
        }
    }

    func protectRTCP(_ buffer: UnsafeMutableRawPointer, length: Int) -> Int? {
        guard let srtp else { return nil }
        do { return try srtp.protectRTCP(buffer, length: length) } catch {
            srtpErrors += 1
            return nil
        }
    }

    /// close_notify (RFC 5246 §7.2.1) if DTLS is up.
    func close() -> [Output] {
        guard state != .closed else { return [] }
        state = .closed
        return dtls.close().compactMap { if case .send(let bytes) = $0 { return .send(bytes) } else { return nil } }
    }

    private func apply(_ dtlsOutputs: [DTLSOutput], _ outputs: inout [Output]) {
        for output in dtlsOutputs {
            switch output {
            case .send(let datagram):
                outputs.append(.send(datagram))
            case .connected(let keys):
                do {
                    srtp = try SRTPSession(keyingMaterial: keys)
                    state = .connected
                    outputs.append(.connected)
                } catch {
                    fail("SRTP setup failed: \(error)", &outputs)
                }
            case .applicationData:
                break  // SCTP from the server's data channels: we run no SCTP stack.
            case .closed:
                fail("DTLS closed by the server", &outputs)
            case .failed(let error):
                fail("DTLS failed: \(error)", &outputs)
            }
        }
    }

    private func fail(_ reason: String, _ outputs: inout [Output]) {
        guard state != .failed else { return }
        state = .failed
        outputs.append(.failed(reason))
    }
}
