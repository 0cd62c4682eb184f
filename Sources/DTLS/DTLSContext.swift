import CDTLS

/// An OpenSSL SSL_CTX set up for WebRTC DTLS-SRTP: DTLS 1.2 only (RFC 6347), our certificate,
/// ECDHE over X25519 / P-256, the `use_srtp` extension (RFC 5764 §4.1.1), and a peer-certificate
/// request that accepts self-signed certificates (they are checked against the SDP fingerprint
/// after the handshake, RFC 5763 §5).
final class DTLSContext: @unchecked Sendable {
    let ctx: OpaquePointer

    /// RFC 5764 §4.1.2 / RFC 7714 §14.2 profile names, most preferred first (GCM).
    static let srtpProfiles = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"
    static let groups = "X25519:P-256"

    init(certificate: OpaquePointer, privateKey: OpaquePointer) throws {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(DTLS_method()) else {
            throw DTLSError.openssl(openSSLErrorQueue("SSL_CTX_new"))
        }
        self.ctx = ctx
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw DTLSError.openssl(openSSLErrorQueue(what)) }
        }
        do {
            try check(cdtls_ctx_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1, "set_min_proto_version")
            try check(cdtls_ctx_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1, "set_max_proto_version")
            try check(SSL_CTX_use_certificate(ctx, certificate) == 1, "SSL_CTX_use_certificate")
            try check(SSL_CTX_use_PrivateKey(ctx, privateKey) == 1, "SSL_CTX_use_PrivateKey")
            try check(SSL_CTX_check_private_key(ctx) == 1, "SSL_CTX_check_private_key")
            try check(cdtls_ctx_set1_groups_list(ctx, Self.groups) == 1, "SSL_CTX_set1_groups_list")
            // Note: returns 0 on success (inverted convention).
            try check(SSL_CTX_set_tlsext_use_srtp(ctx, Self.srtpProfiles) == 0, "SSL_CTX_set_tlsext_use_srtp")
            // Ask for (and require) the peer's certificate; accept it whatever its issuer, the
            // fingerprint comparison after the handshake is the real check (RFC 5763 §5).
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) { _, _ in 1 }
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
    }

    deinit {
        SSL_CTX_free(ctx)
    }
}
