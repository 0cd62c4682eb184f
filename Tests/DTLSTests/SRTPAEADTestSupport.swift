import XCTest
@testable import DTLS

/// Bytes from hexadecimal text; whitespace is ignored.
func srtpHex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }.map { $0 }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// Runs `body` over a copy of `packet` followed by `SRTPSession.maxTrailer` spare bytes and
/// returns the bytes it leaves, up to the length it returns.
func srtpApply(_ packet: [UInt8], _ body: (UnsafeMutableRawPointer, Int) throws -> Int) rethrows -> [UInt8] {
    var buffer = packet + [UInt8](repeating: 0, count: SRTPSession.maxTrailer)
    let length = try buffer.withUnsafeMutableBytes { try body($0.baseAddress!, packet.count) }
    return Array(buffer[0..<length])
}

/// An RTP packet (RFC 3550 §5.1) with optional CSRCs and a one-byte-header extension
/// (RFC 8285 §4.2, profile 0xBEDE) of `extensionWords` 32-bit words.
func srtpTestRTPPacket(sequence: UInt16, ssrc: UInt32 = 0x1234_5678, csrcs: [UInt32] = [],
                       extensionWords: Int = 0, payload: Int = 160, marker: Bool = false) -> [UInt8] {
    precondition(csrcs.count <= 15)
    var bytes: [UInt8] = [0x80 | (extensionWords > 0 ? 0x10 : 0) | UInt8(csrcs.count),
                          (marker ? 0x80 : 0) | 96,
                          UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
    let timestamp = UInt32(sequence) &* 3000
    bytes += srtpBigEndian(timestamp) + srtpBigEndian(ssrc)
    for csrc in csrcs { bytes += srtpBigEndian(csrc) }
    if extensionWords > 0 {
        bytes += [0xBE, 0xDE, UInt8(extensionWords >> 8), UInt8(extensionWords & 0xFF)]
        for word in 0..<extensionWords {
            // One element per word: ID 1..14, length 3 (L = 2), then three data bytes.
            bytes += [UInt8((word % 14) + 1) << 4 | 2, UInt8(word), 0xA5, UInt8(truncatingIfNeeded: sequence)]
        }
    }
    bytes += (0..<payload).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(sequence)) }
    return bytes
}

/// A compound RTCP packet: a receiver report (RFC 3550 §6.4.2) with one report block, then
/// an SDES with a CNAME chunk (§6.5), from `ssrc`.
func srtpTestRTCPPacket(ssrc: UInt32 = 0x0A0B_0C0D) -> [UInt8] {
    var bytes: [UInt8] = [0x81, 201, 0, 7] + srtpBigEndian(ssrc)
    bytes += srtpBigEndian(0x1122_3344) + [0, 0, 0, 3] + srtpBigEndian(0x0001_0203) + [0, 0, 0, 9]
        + srtpBigEndian(0) + srtpBigEndian(0)
    // SDES: one chunk, CNAME "ab", END, padded to a word.
    bytes += [0x81, 202, 0, 3] + srtpBigEndian(ssrc) + [1, 2, 0x61, 0x62, 0, 0, 0, 0]
    return bytes
}

func srtpBigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}

/// Keying material for AEAD_AES_128_GCM from a seed.
func srtpTestKeys(seed: UInt64 = 7, profile: SRTPProtectionProfile = .aeadAes128Gcm) -> SRTPKeyingMaterial {
    var random = SplitMix64(state: seed)
    return SRTPKeyingMaterial(profile: profile,
                              localMasterKey: random.bytes(profile.masterKeyLength),
                              localMasterSalt: random.bytes(profile.masterSaltLength),
                              remoteMasterKey: random.bytes(profile.masterKeyLength),
                              remoteMasterSalt: random.bytes(profile.masterSaltLength))
}

/// Asserts that `body` throws `DTLSError.srtp(expected)` (or any `DTLSError.srtp` when nil).
func assertSRTPError(_ expected: String?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line,
                     _ body: () throws -> Any) {
    do {
        _ = try body()
        XCTFail("no error thrown; expected \(expected ?? "an SRTP error") \(message)", file: file, line: line)
    } catch let error as DTLSError {
        guard case .srtp(let status) = error else {
            XCTFail("\(error) is not an SRTP error \(message)", file: file, line: line)
            return
        }
        if let expected { XCTAssertEqual(status, expected, message, file: file, line: line) }
    } catch {
        XCTFail("untyped error \(error) \(message)", file: file, line: line)
    }
}
