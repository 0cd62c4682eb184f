/// Which side of the DTLS handshake we are. RFC 5763 §5: the `a=setup:active` side is the DTLS client.
public enum DTLSRole: Sendable {
    /// `a=setup:active`: sends the ClientHello.
    case client
    /// `a=setup:passive`: waits for the ClientHello.
    case server
}

/// DTLS-SRTP protection profiles we offer. RFC 5764 §4.1.2, RFC 7714 §14.2.
public enum SRTPProtectionProfile: UInt16, Sendable {
    case aes128CmHmacSha1_80 = 0x0001
    case aeadAes128Gcm = 0x0007

    /// Master key length in bytes (RFC 5764 §4.1.2, RFC 7714 §12).
    public var masterKeyLength: Int { 16 }

    /// Master salt length in bytes: 112 bits for AES-CM, 96 bits for AEAD-GCM (RFC 7714 §12).
    public var masterSaltLength: Int {
        switch self {
        case .aes128CmHmacSha1_80: return 14
        case .aeadAes128Gcm: return 12
        }
    }
}

/// SRTP master keys and salts exported from a DTLS-SRTP handshake (RFC 5764 §4.2).
/// "local" keys protect what we send; "remote" keys unprotect what the peer sends.
public struct SRTPKeyingMaterial: Sendable, Equatable {
    public var profile: SRTPProtectionProfile
    public var localMasterKey: [UInt8]
    public var localMasterSalt: [UInt8]
    public var remoteMasterKey: [UInt8]
    public var remoteMasterSalt: [UInt8]

    public init(profile: SRTPProtectionProfile, localMasterKey: [UInt8], localMasterSalt: [UInt8],
                remoteMasterKey: [UInt8], remoteMasterSalt: [UInt8]) {
        self.profile = profile
        self.localMasterKey = localMasterKey
        self.localMasterSalt = localMasterSalt
        self.remoteMasterKey = remoteMasterKey
        self.remoteMasterSalt = remoteMasterSalt
    }

    /// The keying material the peer derives: local and remote swapped.
    public var mirrored: SRTPKeyingMaterial {
        SRTPKeyingMaterial(profile: profile, localMasterKey: remoteMasterKey, localMasterSalt: remoteMasterSalt,
                           remoteMasterKey: localMasterKey, remoteMasterSalt: localMasterSalt)
    }

    /// Splits the output of the "EXTRACTOR-dtls_srtp" exporter. RFC 5764 §4.2: the layout is
    /// client_write_SRTP_master_key | server_write_SRTP_master_key |
    /// client_write_SRTP_master_salt | server_write_SRTP_master_salt.
    /// Returns nil when `exported` has the wrong length for `profile`.
    public init?(exported: [UInt8], profile: SRTPProtectionProfile, role: DTLSRole) {
        let keyLength = profile.masterKeyLength
        let saltLength = profile.masterSaltLength
        guard exported.count == 2 * (keyLength + saltLength) else { return nil }
        let clientKey = Array(exported[0..<keyLength])
        let serverKey = Array(exported[keyLength..<(2 * keyLength)])
        let clientSalt = Array(exported[(2 * keyLength)..<(2 * keyLength + saltLength)])
        let serverSalt = Array(exported[(2 * keyLength + saltLength)..<(2 * keyLength + 2 * saltLength)])
        switch role {
        case .client:
            self.init(profile: profile, localMasterKey: clientKey, localMasterSalt: clientSalt,
                      remoteMasterKey: serverKey, remoteMasterSalt: serverSalt)
        case .server:
            self.init(profile: profile, localMasterKey: serverKey, localMasterSalt: serverSalt,
                      remoteMasterKey: clientKey, remoteMasterSalt: clientSalt)
        }
    }
}

/// What a `DTLSEndpoint` asks its owner to do, in order.
public enum DTLSOutput: Sendable {
    /// A datagram for the peer.
    case send([UInt8])
    /// The handshake completed and the peer's fingerprint matched: create the SRTP session.
    case connected(SRTPKeyingMaterial)
    /// Decrypted application data (SCTP packets for data channels).
    case applicationData([UInt8])
    /// The peer sent close_notify, or we closed.
    case closed
    /// Fatal: the transport must close.
    case failed(DTLSError)
}
