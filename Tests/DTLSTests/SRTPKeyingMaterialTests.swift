import XCTest
@testable import DTLS

final class SRTPKeyingMaterialTests: XCTestCase {
    /// RFC 5764 §4.2 layout: client key | server key | client salt | server salt.
    func testExporterLayoutAESCM() throws {
        let exported = (0..<60).map { UInt8($0) }
        let client = try XCTUnwrap(SRTPKeyingMaterial(exported: exported, profile: .aes128CmHmacSha1_80, role: .client))
        XCTAssertEqual(client.localMasterKey, Array(0..<16))
        XCTAssertEqual(client.remoteMasterKey, Array(16..<32))
        XCTAssertEqual(client.localMasterSalt, Array(32..<46))
        XCTAssertEqual(client.remoteMasterSalt, Array(46..<60))
        let server = try XCTUnwrap(SRTPKeyingMaterial(exported: exported, profile: .aes128CmHmacSha1_80, role: .server))
        XCTAssertEqual(server, client.mirrored)
    }

    func testExporterLayoutGCM() throws {
        let exported = (0..<56).map { UInt8($0) }
        let server = try XCTUnwrap(SRTPKeyingMaterial(exported: exported, profile: .aeadAes128Gcm, role: .server))
        XCTAssertEqual(server.remoteMasterKey, Array(0..<16))
        XCTAssertEqual(server.localMasterKey, Array(16..<32))
        XCTAssertEqual(server.remoteMasterSalt, Array(32..<44))
        XCTAssertEqual(server.localMasterSalt, Array(44..<56))
    }

    func testWrongLengthIsRejected() {
        XCTAssertNil(SRTPKeyingMaterial(exported: [UInt8](repeating: 0, count: 56), profile: .aes128CmHmacSha1_80, role: .client))
        XCTAssertNil(SRTPKeyingMaterial(exported: [], profile: .aeadAes128Gcm, role: .client))
    }
}
