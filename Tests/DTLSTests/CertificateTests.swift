import Foundation
import XCTest
@testable import DTLS

final class CertificateTests: XCTestCase {
    func testFingerprintFormat() throws {
        let certificate = try DTLSCertificate.generate()
        let fingerprint = certificate.fingerprintSHA256
        XCTAssertEqual(fingerprint.count, 32 * 3 - 1)
        let pairs = fingerprint.split(separator: ":")
        XCTAssertEqual(pairs.count, 32)
        for pair in pairs {
            XCTAssertEqual(pair.count, 2)
            XCTAssertTrue(pair.allSatisfy { "0123456789ABCDEF".contains($0) }, "upper-case hex: \(pair)")
        }
        let parsed = try CertificateFingerprint(algorithm: "sha-256", value: fingerprint)
        XCTAssertEqual(parsed.value, fingerprint)
        XCTAssertEqual(try DTLSCertificate.generate().fingerprintSHA256 == fingerprint, false, "fresh key each time")
    }

    /// Independent check: the openssl command line tool's fingerprint of our DER certificate,
    /// and the certificate's fields (P-256, SHA-256 signature, 30-day validity).
    func testCertificateMatchesOpenSSLCommandLine() throws {
        let tool = "/usr/bin/openssl"
        guard FileManager.default.isExecutableFile(atPath: tool) else { throw XCTSkip("no openssl CLI") }
        let certificate = try DTLSCertificate.generate(commonName: "unit-test")
        let path = NSTemporaryDirectory() + "dtls-cert-\(getpid()).der"
        try Data(certificate.derEncoded).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }

        func run(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let fingerprintLine = try run(["x509", "-inform", "DER", "-in", path, "-noout", "-fingerprint", "-sha256"])
        // e.g. "sha256 Fingerprint=AB:CD:..."
        let value = fingerprintLine.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        XCTAssertEqual(value, certificate.fingerprintSHA256)

        let text = try run(["x509", "-inform", "DER", "-in", path, "-noout", "-text"])
        XCTAssertTrue(text.contains("ecdsa-with-SHA256"), text)
        XCTAssertTrue(text.contains("prime256v1") || text.contains("P-256"), text)
        XCTAssertTrue(text.contains("CN = unit-test") || text.contains("CN=unit-test"), text)
        XCTAssertTrue(text.contains("Version: 3"), text)
        let checkEnd = try run(["x509", "-inform", "DER", "-in", path, "-noout", "-checkend", String(29 * 24 * 3600)])
        XCTAssertTrue(checkEnd.contains("will not expire"), checkEnd)
        let checkEnd31 = try run(["x509", "-inform", "DER", "-in", path, "-noout", "-checkend", String(31 * 24 * 3600)])
        XCTAssertTrue(checkEnd31.contains("will expire"), checkEnd31)
    }

    func testFingerprintParsing() throws {
        let sha1 = try CertificateFingerprint(algorithm: "SHA-1", value: "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33")
        XCTAssertEqual(sha1.algorithm, .sha1)
        XCTAssertEqual(sha1.digest[10], 0xAA)
        XCTAssertEqual(sha1.value, "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33")
        XCTAssertThrowsError(try CertificateFingerprint(algorithm: "md5", value: "00")) { error in
            XCTAssertEqual(error as? CertificateFingerprint.ParseError, .unsupportedAlgorithm("md5"))
        }
        XCTAssertThrowsError(try CertificateFingerprint(algorithm: "sha-1", value: "00:11")) { error in
            XCTAssertEqual(error as? CertificateFingerprint.ParseError, .wrongLength(expected: 20, actual: 2))
        }
        for bad in ["", ":", "0:11", "001:1", "0g", "00::11", "00:11:"] {
            XCTAssertThrowsError(try CertificateFingerprint(algorithm: "sha-1", value: bad), bad)
        }
    }

    func testFingerprintParserFuzz() {
        var random = SplitMix64(state: 7)
        let alphabet = Array("0123456789abcdefABCDEFxyz:: -".utf8)
        for _ in 0..<2000 {
            let length = Int(random.next() % 120)
            let bytes = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let text = String(decoding: bytes, as: UTF8.self)
            let algorithm = CertificateFingerprint.Algorithm.allCases[Int(random.next() % 4)].rawValue
            if let parsed = try? CertificateFingerprint(algorithm: algorithm, value: text) {
                XCTAssertEqual(parsed.digest.count, parsed.algorithm.digestLength)
            }
        }
    }
}
