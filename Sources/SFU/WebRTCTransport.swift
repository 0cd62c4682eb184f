import NIOCore
import ICE
import DTLS
import RTP

/// One peer's ICE-lite + DTLS + SRTP stack bound to the shared media socket.
/// Demultiplexes by first byte (RFC 7983 §7), answers connectivity checks, runs the DTLS
/// handshake, and protects/unprotects media. It knows nothing of tracks: it hands decrypted
/// RTP/RTCP back to its owner.
final class WebRTCTransport {
    enum State: Equatable { case new, connecting, connected, closed }

    /// What a received datagram turned out to be, after decryption in place.
    enum Received {
        case nothing
        /// Decrypted RTP: `length` bytes at the start of the socket's `receiveScratch`.
        case rtp(length: Int)
        case rtcp([RTCPPacket])
    }

    private(set) var localUfrag: String
    private(set) var localPassword: String
    private(set) var remoteUfrag: String?
    /// Decrypted DTLS application data (SCTP packets) go here.
    var onApplicationData: (([UInt8]) -> Void)?
    /// Called once when DTLS completes and SRTP is ready.
    var onConnected: (() -> Void)?
    /// Called once when the transport closes.
    var onClosed: ((String) -> Void)?
    private(set) var ice: ICELiteAgent
    private var dtls: DTLSEndpoint?
    private(set) var srtp: SRTPSession?
    private(set) var state: State = .new
    private(set) var remoteTransportAddress: TransportAddress?
    private(set) var closeReason: String?
    /// SSRC used as sender of the RTCP feedback we originate (RFC 3550 §6.4.2).
    let rtcpSSRC: UInt32 = UInt32.random(in: 1...UInt32.max)
    let socket: MediaSocket
    let context: MediaContext

    deinit { LiveObjects.freed(.transport) }

    init(socket: MediaSocket, context: MediaContext, credentials: (ufrag: String, password: String) = ICECredentials.random()) {
        LiveObjects.made(.transport)
        self.socket = socket
        self.context = context
        self.localUfrag = credentials.ufrag
        self.localPassword = credentials.password
        self.ice = ICELiteAgent(localUfrag: credentials.ufrag, localPassword: credentials.password,
                                remoteUfrag: nil, remotePassword: nil)
    }

    /// Whether a valid connectivity check (right credentials) has arrived from any address.
    var hasValidCheck: Bool { ice.state != .new }

    /// Sets what the remote description said: ICE credentials and DTLS fingerprint/role.
    /// The DTLS part is fixed by the first description (a later one may only restart ICE).
    func configure(remoteUfrag: String, remotePassword: String, role: DTLSRole,
                   remoteFingerprint: (algorithm: String, value: String), certificate: DTLSCertificate) throws {
        setRemoteICE(ufrag: remoteUfrag, password: remotePassword)
        guard dtls == nil else { return }
        dtls = try DTLSEndpoint(role: role, certificate: certificate, remoteFingerprint: remoteFingerprint)
        state = .connecting
        if remoteTransportAddress != nil { startDTLSIfNeeded() }
    }

    func setRemoteICE(ufrag: String, password: String) {
        remoteUfrag = ufrag
        ice.setRemoteCredentials(ufrag: ufrag, password: password)
    }

    /// ICE restart (RFC 8445 §9, RFC 8839 §4.4.1.1.1): new local credentials, a fresh agent;
    /// DTLS and SRTP carry on over whatever address the new checks nominate.
    func restartICE(remoteUfrag: String, remotePassword: String) {
        let fresh = ICECredentials.random()
        context.router?.renameUfrag(of: self, from: localUfrag, to: fresh.ufrag)
        localUfrag = fresh.ufrag
        localPassword = fresh.password
        ice = ICELiteAgent(localUfrag: fresh.ufrag, localPassword: fresh.password,
                           remoteUfrag: remoteUfrag, remotePassword: remotePassword)
        self.remoteUfrag = remoteUfrag
    }

    /// Benchmark and test hook: a transport that has completed ICE and DTLS with these keys.
    func assumeConnected(srtp: SRTPSession, remote: SocketAddress) {
        self.srtp = srtp
        remoteTransportAddress = TransportAddress(remote)
        state = .connected
    }

    /// Sends DTLS application data (an SCTP packet).
    func sendApplicationData(_ bytes: [UInt8]) {
        guard let dtls, dtls.isConnected, state == .connected else { return }
        apply(dtls.send(applicationData: bytes))
    }

    /// Handles one datagram already routed to this transport.
    func receive(_ bytes: UnsafeRawBufferPointer, from transportAddress: TransportAddress, now: Double) -> Received {
        let kind = classifyPacket(bytes)
        guard state != .closed else {
            if kind != .stun { context.counters.transportPacketsRefused += 1 }
            return .nothing
        }
        switch kind {
        case .stun:
            context.counters.stunReceived += 1
            let actions = ice.handleSTUN(bytes, from: transportAddress, now: now)
            apply(actions, from: transportAddress)
            return .nothing
        case .dtls:
            guard let remote = remoteTransportAddress, remote == transportAddress, let dtls else {
                context.counters.transportPacketsRefused += 1
                return .nothing
            }
            let wasConnected = dtls.isConnected
            let outputs = dtls.receive(bytes)
            // Once connected, a record either carries SCTP or closes; OpenSSL discards the rest
            // (bad MAC, replay, a stale flight) without a word, so it is counted here.
            if wasConnected, outputs.isEmpty { context.counters.dtlsRecordsIgnored += 1 }
            apply(outputs)
            return .nothing
        case .rtp:
            guard let srtp, remoteTransportAddress == transportAddress else {
                context.counters.transportPacketsRefused += 1
                return .nothing
            }
            if context.inboundLoss > 0, Double.random(in: 0..<100) < context.inboundLoss {
                context.counters.testDroppedPackets += 1
                return .nothing
            }
            guard let plain = copyToReceiveScratch(bytes) else { return .nothing }
            do {
                let length = try srtp.unprotectRTP(plain, length: bytes.count)
                return .rtp(length: length)
            } catch {
                context.counters.srtpErrors += 1
                return .nothing
            }
        case .rtcp:
            guard let srtp, remoteTransportAddress == transportAddress else {
                context.counters.transportPacketsRefused += 1
                return .nothing
            }
            guard let plain = copyToReceiveScratch(bytes) else { return .nothing }
            do {
                let length = try srtp.unprotectRTCP(plain, length: bytes.count)
                let packets = try RTCPCompound.parse(UnsafeRawBufferPointer(start: plain, count: length))
                context.counters.rtcpPacketsReceived += 1
                return .rtcp(packets)
            } catch is DTLSError {
                context.counters.srtpErrors += 1
                return .nothing
            } catch {
                context.counters.malformedPackets += 1
                return .nothing
            }
        case .unknown:
            context.counters.malformedPackets += 1
            return .nothing
        }
    }

    private func apply(_ actions: [ICEAction], from source: TransportAddress) {
        for action in actions {
            switch action {
            case .send(let bytes, let to):
                // A response goes back where the request came from.
                if to == source { socket.send(bytes, to: to) }
            case .selectedAddressChanged(let address):
                if address == source {
                    if let old = remoteTransportAddress, old != address { context.router?.unregister(address: old, of: self) }
                    remoteTransportAddress = address
                    context.router?.register(address, for: self)
                    startDTLSIfNeeded()
                }
            case .stateChanged(let newState):
                if newState == .failed { close(reason: "ICE consent expired") }
            }
        }
    }

    private var dtlsStarted = false
    private func startDTLSIfNeeded() {
        guard !dtlsStarted, let dtls else { return }
        dtlsStarted = true
        apply(dtls.start())
    }

    private func apply(_ outputs: [DTLSOutput]) {
        for output in outputs {
            switch output {
            case .send(let datagram):
                if let remoteTransportAddress { socket.send(datagram, to: remoteTransportAddress) }
            case .connected(let keys):
                do {
                    srtp = try SRTPSession(keyingMaterial: keys)
                    state = .connected
                    context.counters.dtlsHandshakesCompleted += 1
                    context.logger.debug("transport \(localUfrag) connected, SRTP profile \(keys.profile)")
                    onConnected?()
                } catch {
                    context.counters.dtlsFailures += 1
                    close(reason: "SRTP setup failed: \(error)")
                }
            case .applicationData(let bytes):
                onApplicationData?(bytes)
            case .closed:
                close(reason: "DTLS close_notify")
            case .failed(let error):
                context.counters.dtlsFailures += 1
                close(reason: "DTLS failed: \(error)")
            }
        }
    }

    /// Timers: DTLS retransmission and ICE consent freshness (RFC 7675).
    func tick(now: Double, dtlsDue: Bool) {
        guard state != .closed else { return }
        if dtlsDue, let dtls, !dtls.isConnected, dtlsStarted, let t = dtls.nextTimeout, t <= 0 {
            apply(dtls.handleTimeout())
        }
        let actions = ice.tick(now: now)
        for case .stateChanged(let s) in actions where s == .failed {
            close(reason: "ICE consent expired (no check for 30 s)")
        }
    }

    /// Protects `length` plaintext bytes of the socket scratch buffer and sends them.
    func sendScratchRTP(length: Int) {
        guard let srtp, let remoteTransportAddress, state == .connected else { return }
        if context.outboundLoss > 0, Double.random(in: 0..<100) < context.outboundLoss {
            context.counters.testDroppedPackets += 1
            return
        }
        do {
            let protected = try srtp.protectRTP(socket.scratch.baseAddress!, length: length)
            socket.sendScratch(length: protected, to: remoteTransportAddress)
            context.counters.rtpPacketsSent += 1
            context.counters.rtpBytesSent += UInt64(protected)
        } catch {
            context.counters.srtpErrors += 1
        }
    }

    func sendRTCP(_ packets: [RTCPPacket]) {
        guard let srtp, let remoteTransportAddress, state == .connected, !packets.isEmpty else { return }
        let bytes = RTCPCompound.serialize(packets)
        guard bytes.count + SRTPSession.maxTrailer + 4 <= MediaSocket.scratchSize else { return }
        bytes.withUnsafeBytes { socket.scratch.copyMemory(from: $0) }
        do {
            let protected = try srtp.protectRTCP(socket.scratch.baseAddress!, length: bytes.count)
            socket.sendScratch(length: protected, to: remoteTransportAddress)
            context.counters.rtcpPacketsSent += 1
        } catch {
            context.counters.srtpErrors += 1
        }
    }

    func close(reason: String) {
        guard state != .closed else { return }
        if let dtls, dtls.isConnected, let remoteTransportAddress {
            for case .send(let datagram) in dtls.close() { socket.send(datagram, to: remoteTransportAddress) }
        }
        state = .closed
        closeReason = reason
        context.counters.transportsClosed += 1
        context.logger.info("transport \(localUfrag) closed: \(reason)")
        context.router?.unregister(self)
        let callback = onClosed
        onClosed = nil
        onConnected = nil
        onApplicationData = nil
        callback?(reason)
    }
}

extension WebRTCTransport {
    /// Copies an SRTP/SRTCP datagram into the socket's receive scratch, to be decrypted there
    /// (`MediaSocket.receiveScratch`); nil (counted) if it cannot fit.
    func copyToReceiveScratch(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        let scratch = socket.receiveScratch
        guard bytes.count <= scratch.count, let base = scratch.baseAddress else {
            context.counters.malformedPackets += 1
            return nil
        }
        base.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        return base
    }
}
