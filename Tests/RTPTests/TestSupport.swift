import XCTest
@testable import RTP

/// Deterministic PRNG (SplitMix64) so fuzz-style tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func bytes(_ hex: String) -> [UInt8] {
    let digits = hex.filter { $0.isHexDigit }
    var out: [UInt8] = []
    var i = digits.startIndex
    while i < digits.endIndex {
        let j = digits.index(i, offsetBy: 2)
        out.append(UInt8(digits[i..<j], radix: 16)!)
        i = j
    }
    return out
}

func hex(_ b: [UInt8]) -> String {
    b.map { String(format: "%02x", $0) }.joined()
}

func parseRTP(_ b: [UInt8]) throws -> RTPHeader {
    try b.withUnsafeBytes { try RTPHeader.parse($0) }
}

func parseRTCP(_ b: [UInt8]) throws -> [RTCPPacket] {
    try b.withUnsafeBytes { try RTCPCompound.parse($0) }
}

func rtpError(_ b: [UInt8]) -> RTPParseError? {
    b.withUnsafeBytes { buf -> RTPParseError? in
        do throws(RTPParseError) { _ = try RTPHeader.parse(buf); return nil } catch { return error }
    }
}

func rtcpError(_ b: [UInt8]) -> RTCPParseError? {
    b.withUnsafeBytes { buf -> RTCPParseError? in
        do throws(RTCPParseError) { _ = try RTCPCompound.parse(buf); return nil } catch { return error }
    }
}
