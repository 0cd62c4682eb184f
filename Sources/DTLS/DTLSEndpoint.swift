import CDTLS

/// DTLS 1.2 endpoint over memory BIOs (RFC 6347), DTLS-SRTP (RFC 5764).
///
/// No I/O and no timers of its own: the owner feeds received datagrams to `receive`, sends the
/// `.send` outputs, and calls `handleTimeout` when `nextTimeout` has elapsed. Not thread-safe:
/// one owner drives it (an event loop).
public final class DTLSEndpoint {
    private enum State { case idle, handshaking, connected, closed, failed }

    public let role: DTLSRole
    /// The SRTP keys, once `.connected` has been emitted.
    public private(set) var keyingMaterial: SRTPKeyingMaterial?

    private let certificate: DTLSCertificate
    private let expectedFingerprint: CertificateFingerprint
    private let ssl: OpaquePointer
    /// Datagrams from the peer are written here; OpenSSL reads them.
    private let networkIn: OpaquePointer
    /// OpenSSL writes records here; we read them and hand them out as datagrams.
    private let networkOut: OpaquePointer
    private let packer: DTLSRecordPacker
    private var state: State = .idle
    private var outboundScratch = [UInt8](repeating: 0, count: 4096)
    private var readScratch = [UInt8](repeating: 0, count: 16 * 1024 + 2048)

    /// RFC 5764 §4.2 exporter label.
    static let exporterLabel = "EXTRACTOR-dtls_srtp"

    /// - Parameters:
    ///   - remoteFingerprint: from the peer's SDP `a=fingerprint` (algorithm "sha-256", "sha-1",
    ///     "sha-384" or "sha-512"; hex pairs with colons, case-insensitive). The peer certificate
    ///     is accepted during the handshake (self-signed) and its digest compared afterwards:
    ///     a mismatch yields `.failed(.fingerprintMismatch)` and the transport must close.
    ///   - mtu: largest datagram we send (DTLS record payload budget; 256...16384).
    public init(role: DTLSRole, certificate: DTLSCertificate, remoteFingerprint: (algorithm: String, value: String),
                mtu: Int = 1200) throws {
        do {
            expectedFingerprint = try CertificateFingerprint(algorithm: remoteFingerprint.algorithm,
                                                             value: remoteFingerprint.value)
        } catch {
            throw DTLSError.handshakeFailed("invalid remote fingerprint: \(error)")
        }
        guard (256...16384).contains(mtu) else { throw DTLSError.handshakeFailed("invalid MTU \(mtu)") }
        self.role = role
        self.certificate = certificate
        self.packer = DTLSRecordPacker(mtu: mtu)

        ERR_clear_error()
        guard let ssl = SSL_new(certificate.context.ctx) else {
            throw DTLSError.openssl(openSSLErrorQueue("SSL_new"))
        }
        guard let networkIn = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw DTLSError.openssl(openSSLErrorQueue("BIO_new"))
        }
        guard let networkOut = BIO_new(BIO_s_mem()) else {
            BIO_free(networkIn)
            SSL_free(ssl)
            throw DTLSError.openssl(openSSLErrorQueue("BIO_new"))
        }
        // An empty memory BIO reports "retry" rather than end of file.
        cdtls_bio_set_mem_eof_return(networkIn, -1)
        cdtls_bio_set_mem_eof_return(networkOut, -1)
        SSL_set_bio(ssl, networkIn, networkOut)  // the SSL owns both BIOs from here on
        self.ssl = ssl
        self.networkIn = networkIn
        self.networkOut = networkOut

        // A memory BIO cannot report the path MTU: fix it ourselves.
        cdtls_set_no_query_mtu(ssl)
        guard cdtls_set_link_mtu(ssl, mtu) == 1 else {
            SSL_free(ssl)
            throw DTLSError.openssl(openSSLErrorQueue("DTLS_set_link_mtu"))
        }
        DTLS_set_timer_cb(ssl, dtlsRetransmissionTimer)
        switch role {
        case .client: SSL_set_connect_state(ssl)
        case .server: SSL_set_accept_state(ssl)
        }
    }

    deinit {
        SSL_free(ssl)
    }

    public var isConnected: Bool { state == .connected }

    /// Client: the ClientHello flight. Server: nothing (it answers the ClientHello in `receive`).
    public func start() -> [DTLSOutput] {
        guard state == .idle else { return [] }
        state = .handshaking
        var outputs: [DTLSOutput] = []
        if role == .client { continueHandshake(&outputs) }
        return outputs
    }

    /// Feeds one datagram from the peer (RFC 7983: first byte 20...63).
    public func receive(_ datagram: UnsafeRawBufferPointer) -> [DTLSOutput] {
        switch state {
        case .closed, .failed: return []
        case .idle: state = .handshaking
        case .handshaking, .connected: break
        }
        guard let base = datagram.baseAddress, datagram.count > 0, datagram.count <= Int(Int32.max) else { return [] }
        ERR_clear_error()
        guard BIO_write(networkIn, base, Int32(datagram.count)) == Int32(datagram.count) else {
            return [.failed(.openssl(openSSLErrorQueue("BIO_write")))]
        }
        var outputs: [DTLSOutput] = []
        if state == .handshaking { continueHandshake(&outputs) }
        if state == .connected { readApplicationData(&outputs) }
        return outputs
    }

    /// Retransmits the last flight if its timer expired (RFC 6347 §4.2.4). Call at or after
    /// `nextTimeout`; calling early does nothing.
    public func handleTimeout() -> [DTLSOutput] {
        guard state == .handshaking || state == .connected else { return [] }
        ERR_clear_error()
        let result = cdtls_handle_timeout(ssl)
        var outputs: [DTLSOutput] = []
        flushOutbound(&outputs)
        if result < 0 && state == .handshaking {
            fail(.handshakeFailed(openSSLErrorQueue("retransmission limit reached")), &outputs)
        }
        return outputs
    }

    /// Seconds from now until the retransmission timer fires (0 if already due), nil if none runs.
    public var nextTimeout: Double? {
        guard state == .handshaking || state == .connected else { return nil }
        var seconds = 0.0
        return cdtls_get_timeout(ssl, &seconds) == 1 ? seconds : nil
    }

    /// Encrypts application data (SCTP packets) into a record. Before the handshake completes
    /// this returns `[.failed(.notConnected)]` without changing state.
    public func send(applicationData: [UInt8]) -> [DTLSOutput] {
        guard state == .connected else { return [.failed(.notConnected)] }
        guard !applicationData.isEmpty else { return [] }
        ERR_clear_error()
        let written = SSL_write(ssl, applicationData, Int32(clamping: applicationData.count))
        var outputs: [DTLSOutput] = []
        flushOutbound(&outputs)
        if written <= 0 {
            let code = SSL_get_error(ssl, written)
            if code != SSL_ERROR_WANT_READ && code != SSL_ERROR_WANT_WRITE {
                fail(.openssl(openSSLErrorQueue("SSL_write (error \(code))")), &outputs)
            }
        }
        return outputs
    }

    /// Sends close_notify (RFC 5246 §7.2.1) if the handshake completed, and ends the endpoint.
    public func close() -> [DTLSOutput] {
        switch state {
        case .closed, .failed: return []
        case .idle, .handshaking, .connected: break
        }
        var outputs: [DTLSOutput] = []
        if SSL_is_init_finished(ssl) == 1 {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
            flushOutbound(&outputs)
            ERR_clear_error()
        }
        state = .closed
        outputs.append(.closed)
        return outputs
    }

    // MARK: - Steps

    private func continueHandshake(_ outputs: inout [DTLSOutput]) {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        flushOutbound(&outputs)
        if result == 1 {
            completeHandshake(&outputs)
            return
        }
        let code = SSL_get_error(ssl, result)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return }
        fail(.handshakeFailed(openSSLErrorQueue("SSL_do_handshake (error \(code))")), &outputs)
    }

    /// RFC 5763 §5: compare the peer certificate with the SDP fingerprint, then derive the SRTP
    /// keys (RFC 5764 §4.2).
    private func completeHandshake(_ outputs: inout [DTLSOutput]) {
        guard let peer = SSL_get1_peer_certificate(ssl) else {
            return abort(.fingerprintMismatch, &outputs)
        }
        let digest = CertificateFingerprint.digest(of: peer, algorithm: expectedFingerprint.algorithm)
        X509_free(peer)
        guard let digest, digest == expectedFingerprint.digest else {
            return abort(.fingerprintMismatch, &outputs)
        }
        guard let selected = SSL_get_selected_srtp_profile(ssl),
              let profile = SRTPProtectionProfile(rawValue: UInt16(truncatingIfNeeded: selected.pointee.id)) else {
            return abort(.noSRTPProfile, &outputs)
        }
        var exported = [UInt8](repeating: 0, count: 2 * (profile.masterKeyLength + profile.masterSaltLength))
        let label = Self.exporterLabel
        let ok = exported.withUnsafeMutableBufferPointer { out in
            SSL_export_keying_material(ssl, out.baseAddress, out.count, label, label.utf8.count, nil, 0, 0)
        }
        guard ok == 1, let material = SRTPKeyingMaterial(exported: exported, profile: profile, role: role) else {
            return abort(.openssl(openSSLErrorQueue("SSL_export_keying_material")), &outputs)
        }
        keyingMaterial = material
        state = .connected
        outputs.append(.connected(material))
    }

    private func readApplicationData(_ outputs: inout [DTLSOutput]) {
        while state == .connected {
            ERR_clear_error()
            let count = readScratch.withUnsafeMutableBytes { buffer in
                SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
            }
            if count > 0 {
                outputs.append(.applicationData(Array(readScratch[0..<Int(count)])))
                continue
            }
            let code = SSL_get_error(ssl, count)
            flushOutbound(&outputs)  // e.g. our last flight again, if the peer retransmitted its own
            switch code {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return
            case SSL_ERROR_ZERO_RETURN:  // close_notify
                state = .closed
                outputs.append(.closed)
                return
            default:
                fail(.openssl(openSSLErrorQueue("SSL_read (error \(code))")), &outputs)
                return
            }
        }
    }

    /// Moves everything OpenSSL wrote into `.send` datagrams, split at record boundaries.
    private func flushOutbound(_ outputs: inout [DTLSOutput]) {
        while true {
            let pending = cdtls_bio_pending(networkOut)
            guard pending > 0 else { return }
            if outboundScratch.count < pending {
                outboundScratch = [UInt8](repeating: 0, count: pending)
            }
            let count = outboundScratch.withUnsafeMutableBytes { buffer in
                BIO_read(networkOut, buffer.baseAddress, Int32(clamping: pending))
            }
            guard count > 0 else { return }
            outboundScratch.withUnsafeBytes { all in
                let bytes = UnsafeRawBufferPointer(rebasing: all[0..<Int(count)])
                for range in packer.datagramRanges(bytes) {
                    outputs.append(.send(Array(bytes[range])))
                }
            }
        }
    }

    /// Fails after the handshake: tell the peer with close_notify, then report.
    private func abort(_ error: DTLSError, _ outputs: inout [DTLSOutput]) {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        flushOutbound(&outputs)
        ERR_clear_error()
        fail(error, &outputs)
    }

    private func fail(_ error: DTLSError, _ outputs: inout [DTLSOutput]) {
        state = .failed
        outputs.append(.failed(error))
    }
}

/// Retransmission timer (RFC 6347 §4.2.4.1). The RFC suggests 1 s initially; like other WebRTC
/// stacks we start at 100 ms (ICE has already shown the path works and is usually short),
/// doubling on each expiry up to 4 s. OpenSSL gives up after 12 expiries.
private func dtlsRetransmissionTimer(_ ssl: OpaquePointer?, _ previousMicroseconds: UInt32) -> UInt32 {
    if previousMicroseconds == 0 { return 100_000 }
    return min(previousMicroseconds &* 2, 4_000_000)
}
