import CDTLS

/// A self-signed ECDSA P-256 certificate for DTLS, with its SSL_CTX (shared by every endpoint
/// that uses this certificate). Immutable after creation; OpenSSL reference-counts the objects.
public final class DTLSCertificate: @unchecked Sendable {
    let x509: OpaquePointer
    let privateKey: OpaquePointer
    /// The DTLS 1.2 context configured with this certificate (see `DTLSContext`).
    let context: DTLSContext

    /// SHA-256 of the DER certificate, upper-case hex pairs separated by colons (RFC 8122 §5).
    public let fingerprintSHA256: String

    private init(x509: OpaquePointer, privateKey: OpaquePointer) throws {
        self.x509 = x509
        self.privateKey = privateKey
        guard let digest = CertificateFingerprint.digest(of: x509, algorithm: .sha256) else {
            X509_free(x509)
            EVP_PKEY_free(privateKey)
            throw DTLSError.openssl(openSSLErrorQueue("X509_digest"))
        }
        self.fingerprintSHA256 = CertificateFingerprint.format(digest)
        do {
            self.context = try DTLSContext(certificate: x509, privateKey: privateKey)
        } catch {
            X509_free(x509)
            EVP_PKEY_free(privateKey)
            throw error
        }
    }

    deinit {
        X509_free(x509)
        EVP_PKEY_free(privateKey)
    }

    /// The certificate in DER form.
    public var derEncoded: [UInt8] {
        let length = i2d_X509(x509, nil)
        guard length > 0 else { return [] }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            _ = i2d_X509(x509, &cursor)
        }
        return der
    }

    /// Generates an ECDSA P-256 (prime256v1) key and a self-signed X.509 v3 certificate with a
    /// SHA-256 signature, a random 64-bit positive serial, valid from one day ago for 30 days.
    public static func generate(commonName: String = "sfu") throws -> DTLSCertificate {
        ERR_clear_error()
        guard let key = cdtls_ec_p256_generate() else {
            throw DTLSError.openssl(openSSLErrorQueue("EVP_EC_gen"))
        }
        guard let x509 = X509_new() else {
            EVP_PKEY_free(key)
            throw DTLSError.openssl(openSSLErrorQueue("X509_new"))
        }
        func fail(_ what: String) -> DTLSError {
            let error = DTLSError.openssl(openSSLErrorQueue(what))
            X509_free(x509)
            EVP_PKEY_free(key)
            return error
        }
        guard X509_set_version(x509, 2) == 1 else { throw fail("X509_set_version") }  // v3

        var serial = [UInt8](repeating: 0, count: 8)
        guard RAND_bytes(&serial, Int32(serial.count)) == 1 else { throw fail("RAND_bytes") }
        serial[0] &= 0x7F  // positive
        serial[0] |= 0x01  // non-zero, full length
        guard let serialNumber = BN_bin2bn(serial, Int32(serial.count), nil) else { throw fail("BN_bin2bn") }
        let asn1Serial = BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(x509))
        BN_free(serialNumber)
        guard asn1Serial != nil else { throw fail("BN_to_ASN1_INTEGER") }

        let day: Int = 24 * 60 * 60
        guard X509_gmtime_adj(X509_getm_notBefore(x509), -day) != nil,
              X509_gmtime_adj(X509_getm_notAfter(x509), 30 * day) != nil else { throw fail("X509_gmtime_adj") }

        guard let name = X509_get_subject_name(x509) else { throw fail("X509_get_subject_name") }
        let added = commonName.withCString { cn in
            "CN".withCString { field in
                cn.withMemoryRebound(to: UInt8.self, capacity: commonName.utf8.count + 1) { bytes in
                    X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC, bytes, -1, -1, 0)
                }
            }
        }
        guard added == 1 else { throw fail("X509_NAME_add_entry_by_txt") }
        guard X509_set_issuer_name(x509, name) == 1 else { throw fail("X509_set_issuer_name") }
        guard X509_set_pubkey(x509, key) == 1 else { throw fail("X509_set_pubkey") }
        guard X509_sign(x509, key, EVP_sha256()) > 0 else { throw fail("X509_sign") }
        return try DTLSCertificate(x509: x509, privateKey: key)
    }
}
