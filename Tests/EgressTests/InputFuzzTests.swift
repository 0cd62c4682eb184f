import XCTest
import RTP
@testable import Egress

/// Random and truncated inputs must throw or return, never crash or hang.
final class InputFuzzTests: XCTestCase {
    func testRecordDecoderOnRandomAndMutatedBytes() {
        var rng = InputTestRandom(seed: 0xE6E5)
        let valid = [EgressRecord.trackAdded(trackID: "t", participant: "p", kind: .audio, codec: .opus, clockRate: 48_000),
                     .rtp(trackID: "t", arrival: 3, packet: [1, 2, 3, 4]), .trackMuted(trackID: "t", muted: false),
                     .trackRemoved(trackID: "t"), .finish].flatMap { EgressRecordCodec.encode($0) }
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = rng.bytes(Int.random(in: 0...64, using: &rng))
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            }
            var d = EgressRecordCodec.Decoder(maxRecordSize: 4096)
            d.append(bytes)
            var steps = 0
            while steps < 100 {
                steps += 1
                do { if try d.next() == nil { break } } catch { if steps > 50 { break } }
            }
            XCTAssertLessThan(steps, 100)
        }
    }

    func testDepacketizersOnRandomPackets() {
        var rng = InputTestRandom(seed: 0xF00D)
        for codec in [MediaCodec.vp8, .h264, .opus] {
            var d = TrackDepacketizer(trackID: "f", codec: codec, clockRate: codec.defaultClockRate)
            var arrival = 0.0
            for i in 0..<4000 {
                arrival += Double.random(in: 0...0.01, using: &rng)
                var packet: [UInt8]
                if i % 3 == 0 {
                    packet = rng.bytes(Int.random(in: 0...40, using: &rng))
                } else {
                    // A well-formed RTP header with a random payload and a nearby sequence number.
                    let payload = rng.bytes(Int.random(in: 0...60, using: &rng))
                    packet = buildRTPPacket(payloadType: 96, marker: Bool.random(using: &rng),
                                            sequenceNumber: UInt16(truncatingIfNeeded: i + Int.random(in: -5...5, using: &rng)),
                                            timestamp: UInt32(i / 3) &* 3000, ssrc: UInt32.random(in: 1...2, using: &rng),
                                            payload: payload)
                    if Bool.random(using: &rng) { packet = Array(packet.prefix(Int.random(in: 0...packet.count, using: &rng))) }
                }
                for f in d.push(rtp: packet, arrival: arrival) {
                    XCTAssertFalse(f.data.isEmpty)
                    XCTAssertTrue(f.timestamp.isFinite)
                }
            }
            _ = d.flush()
            XCTAssertGreaterThan(d.droppedPackets, 0)
        }
    }

    func testTruncatedValidVideoPacketsNeverCrash() {
        let key = VP8TestPackets.packets(frame: VP8TestPackets.frame(key: true, size: 200, fill: 1), parts: 2,
                                         seq: 0, ts: 0, pictureID: 5)
        let h264 = [H264TestPackets.stapA([H264TestPackets.sps, H264TestPackets.pps])]
            + H264TestPackets.fuA(nal: [0x65] + [UInt8](repeating: 3, count: 40), parts: 2)
        for (codec, packets) in [(MediaCodec.vp8, key),
                                 (.h264, h264.enumerated().map { H264TestPackets.packet(seq: UInt16($0.offset), ts: 0,
                                                                                        marker: $0.offset == 2, payload: $0.element) })] {
            for p in packets {
                for cut in 0...p.count {
                    var d = TrackDepacketizer(trackID: "t", codec: codec, clockRate: 90_000)
                    for q in packets { _ = d.push(rtp: q == p ? Array(p.prefix(cut)) : q, arrival: 0) }
                    _ = d.flush()
                }
            }
        }
    }
}
