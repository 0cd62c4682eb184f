import CDTLS

/// A certificate fingerprint as carried in SDP `a=fingerprint` (RFC 8122 §5).
public struct CertificateFingerprint: Sendable, Equatable {
    /// Hash functions we accept in `a=fingerprint` (RFC 8122 §5 "hash-func", lower-case tokens).
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha1 = "sha-1"
        case sha256 = "sha-256"
        case sha384 = "sha-384"
        case sha512 = "sha-512"

        public var digestLength: Int {
            switch self {
            case .sha1: return 20
            case .sha256: return 32
            case .sha384: return 48
            case .sha512: return 64
            }
        }

        var evpDigest: OpaquePointer? {
            switch self {
            case .sha1: return EVP_sha1()
            case .sha256: return EVP_sha256()
            case .sha384: return EVP_sha384()
            case .sha512: return EVP_sha512()
            }
        }
    }

    public enum ParseError: Error, Equatable, Sendable {
        case unsupportedAlgorithm(String)
        case malformedValue
        case wrongLength(expected: Int, actual: Int)
    }

    public var algorithm: Algorithm
    public var digest: [UInt8]

    public init(algorithm: Algorithm, digest: [UInt8]) {
        self.algorithm = algorithm
        self.digest = digest
    }

    /// Parses an SDP fingerprint: algorithm token (case-insensitive) and colon-separated hex pairs
    /// (case-insensitive). RFC 8122 §5: `fingerprint = 2UHEX *(":" 2UHEX)`; we also accept lower case.
    public init(algorithm: String, value: String) throws(ParseError) {
        guard let parsedAlgorithm = Algorithm(rawValue: algorithm.lowercased()) else {
            throw .unsupportedAlgorithm(algorithm)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(parsedAlgorithm.digestLength)
        for part in value.split(separator: ":", omittingEmptySubsequences: false) {
            let utf8 = Array(part.utf8)
            guard utf8.count == 2, let high = Self.hexValue(utf8[0]), let low = Self.hexValue(utf8[1]) else {
                throw .malformedValue
            }
            bytes.append(high << 4 | low)
        }
        guard bytes.count == parsedAlgorithm.digestLength else {
            throw .wrongLength(expected: parsedAlgorithm.digestLength, actual: bytes.count)
        }
        self.init(algorithm: parsedAlgorithm, digest: bytes)
    }

    /// Upper-case hex pairs separated by colons, as written in SDP (RFC 8122 §5).
    public var value: String {
        Self.format(digest)
    }

    static func format(_ bytes: [UInt8]) -> String {
        let digits: [Character] = Array("0123456789ABCDEF")
        var text = ""
        text.reserveCapacity(bytes.count * 3)
        for (index, byte) in bytes.enumerated() {
            if index > 0 { text.append(":") }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    /// Digest of the DER encoding of `x509` (RFC 8122 §5: the fingerprint covers the DER certificate).
    static func digest(of x509: OpaquePointer, algorithm: Algorithm) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = output.withUnsafeMutableBufferPointer { buffer in
            X509_digest(x509, algorithm.evpDigest, buffer.baseAddress, &length)
        }
        guard ok == 1, Int(length) == algorithm.digestLength else { return nil }
        return Array(output[0..<Int(length)])
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
