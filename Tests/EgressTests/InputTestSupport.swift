import RTP
@testable import Egress

/// Deterministic pseudo-random numbers for fuzz-style tests (SplitMix64).
struct InputTestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// Builds VP8 RTP packets (RFC 7741 §4.2 descriptor with a 15-bit PictureID).
enum VP8TestPackets {
    static let ssrc: UInt32 = 0x1234_5678

    static func packet(seq: UInt16, ts: UInt32, marker: Bool, start: Bool, pictureID: UInt16, data: [UInt8],
                       ssrc: UInt32 = ssrc) -> [UInt8] {
        let descriptor: [UInt8] = [start ? 0x90 : 0x80, 0x80, 0x80 | UInt8(pictureID >> 8 & 0x7F), UInt8(pictureID & 0xFF)]
        return buildRTPPacket(payloadType: 96, marker: marker, sequenceNumber: seq, timestamp: ts, ssrc: ssrc,
                              payload: descriptor + data)
    }

    /// A VP8 frame body: frame tag with P = 0 (key) or 1 (inter) (RFC 6386 §9.1), then filler.
    static func frame(key: Bool, size: Int, fill: UInt8) -> [UInt8] {
        var bytes: [UInt8] = key ? [0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A] : [0x11, 0x02, 0x00]
        while bytes.count < size { bytes.append(fill &+ UInt8(truncatingIfNeeded: bytes.count)) }
        return bytes
    }

    /// Splits a frame into `parts` packets starting at `seq`, marker on the last.
    static func packets(frame: [UInt8], parts: Int, seq: UInt16, ts: UInt32, pictureID: UInt16,
                        ssrc: UInt32 = ssrc) -> [[UInt8]] {
        let chunk = (frame.count + parts - 1) / parts
        return (0..<parts).map { i in
            let lo = i * chunk
            let hi = min(frame.count, lo + chunk)
            return packet(seq: seq &+ UInt16(i), ts: ts, marker: i == parts - 1, start: i == 0,
                          pictureID: pictureID, data: Array(frame[lo..<hi]), ssrc: ssrc)
        }
    }
}

/// Builds H.264 RTP packets (RFC 6184).
enum H264TestPackets {
    static let sps: [UInt8] = [0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40]
    static let pps: [UInt8] = [0x68, 0xCE, 0x3C, 0x80]

    static func packet(seq: UInt16, ts: UInt32, marker: Bool, payload: [UInt8]) -> [UInt8] {
        buildRTPPacket(payloadType: 102, marker: marker, sequenceNumber: seq, timestamp: ts, ssrc: 0xABCD, payload: payload)
    }

    /// STAP-A (§5.7.1) with NRI taken as the maximum of its units.
    static func stapA(_ units: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = [0x78]  // F=0, NRI=3, type 24
        for u in units { out += [UInt8(u.count >> 8), UInt8(u.count & 0xFF)] + u }
        return out
    }

    /// FU-A fragments (§5.8) of one NAL unit (header byte + body), split into `parts`.
    static func fuA(nal: [UInt8], parts: Int) -> [[UInt8]] {
        let header = nal[0]
        let body = Array(nal.dropFirst())
        let chunk = (body.count + parts - 1) / parts
        return (0..<parts).map { i in
            let lo = i * chunk
            let hi = min(body.count, lo + chunk)
            var fu: UInt8 = header & 0x1F
            if i == 0 { fu |= 0x80 }
            if i == parts - 1 { fu |= 0x40 }
            return [header & 0xE0 | 28, fu] + Array(body[lo..<hi])
        }
    }
}

enum RTPTestPacket {
    static func opus(seq: UInt16, ts: UInt32, body: [UInt8] = [0xFC, 0xFF, 0xFE]) -> [UInt8] {
        buildRTPPacket(payloadType: 111, marker: false, sequenceNumber: seq, timestamp: ts, ssrc: 99, payload: body)
    }
}
