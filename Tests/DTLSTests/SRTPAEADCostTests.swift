import XCTest
@testable import DTLS

/// Prints what SRTP costs per 1200-byte packet with our AEAD_AES_128_GCM transform and with
/// libsrtp's (NSS-backed on Debian 12). Never asserts on time.
///
/// Heap allocations per packet: run the two probe tests under heaptrack with two packet counts
/// and divide the difference in allocation calls by the difference in packets, e.g.
///   SRTP_ALLOC_PROBE_PACKETS=10000 heaptrack .build/debug/sfuPackageTests.xctest \
///     DTLSTests.SRTPAEADCostTests/testAllocationProbeOurs
/// (and again with 110000, and the same for ...Libsrtp).
final class SRTPAEADCostTests: XCTestCase {
    private struct Cost {
        var protect: Double
        var unprotect: Double
    }

    private func measure(backend: SRTPSession.Backend, rtcp: Bool = false, packetSize: Int = 1200,
                         packets: Int = 20_000) throws -> Cost {
        let material = srtpTestKeys(seed: 1)
        let sender = try SRTPSession(keyingMaterial: material, backend: backend)
        let receiver = try SRTPSession(keyingMaterial: material.mirrored, backend: backend)
        let batch = 256
        let stride = packetSize + SRTPSession.maxTrailer
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: stride * batch, alignment: 16)
        defer { storage.deallocate() }
        let lengths = UnsafeMutableBufferPointer<Int>.allocate(capacity: batch)
        defer { lengths.deallocate() }
        let template = rtcp ? srtpTestRTCPPacket() + [UInt8](repeating: 0x5A, count: packetSize - srtpTestRTCPPacket().count)
            : srtpTestRTPPacket(sequence: 0, ssrc: 0x1122_3344, payload: packetSize - 12)
        precondition(template.count == packetSize)
        let clock = ContinuousClock()
        var protectTime = Duration.zero
        var unprotectTime = Duration.zero
        var sequence: UInt16 = 1
        var done = 0
        while done < packets {
            let count = min(batch, packets - done)
            for index in 0..<count {
                let packet = storage.baseAddress! + index * stride
                template.withUnsafeBytes { packet.copyMemory(from: $0.baseAddress!, byteCount: packetSize) }
                if !rtcp {
                    packet.storeBytes(of: sequence.bigEndian, toByteOffset: 2, as: UInt16.self)
                    sequence &+= 1
                }
            }
            let start = clock.now
            for index in 0..<count {
                let packet = storage.baseAddress! + index * stride
                lengths[index] = rtcp ? try sender.protectRTCP(packet, length: packetSize)
                    : try sender.protectRTP(packet, length: packetSize)
            }
            let middle = clock.now
            for index in 0..<count {
                let packet = storage.baseAddress! + index * stride
                lengths[index] = rtcp ? try receiver.unprotectRTCP(packet, length: lengths[index])
                    : try receiver.unprotectRTP(packet, length: lengths[index])
            }
            let end = clock.now
            protectTime += middle - start
            unprotectTime += end - middle
            done += count
        }
        func nanoseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
        }
        return Cost(protect: nanoseconds(protectTime) / Double(packets),
                    unprotect: nanoseconds(unprotectTime) / Double(packets))
    }

    /// Prints ns per 1200-byte packet, ours against libsrtp, RTP and RTCP.
    func testPrintAEADProtectCostOursAgainstLibsrtp() throws {
        for rtcp in [false, true] {
            // Interleaved and repeated, so that load on the machine hits both alike.
            var ours: [Cost] = []
            var libsrtp: [Cost] = []
            for _ in 0..<3 {
                ours.append(try measure(backend: .automatic, rtcp: rtcp))
                libsrtp.append(try measure(backend: .libsrtp, rtcp: rtcp))
            }
            let best = { (costs: [Cost]) in
                Cost(protect: costs.map(\.protect).min()!, unprotect: costs.map(\.unprotect).min()!)
            }
            let o = best(ours)
            let l = best(libsrtp)
            print(String(format: "SRTP AEAD_AES_128_GCM 1200-byte %@: ours protect %.0f ns, unprotect %.0f ns; "
                            + "libsrtp protect %.0f ns, unprotect %.0f ns",
                         rtcp ? "RTCP" : "RTP", o.protect, o.unprotect, l.protect, l.unprotect))
        }
    }

    private var probePackets: Int {
        ProcessInfo.processInfo.environment["SRTP_ALLOC_PROBE_PACKETS"].flatMap(Int.init) ?? 1000
    }

    private func allocationProbe(backend: SRTPSession.Backend) throws {
        let material = srtpTestKeys(seed: 1)
        let sender = try SRTPSession(keyingMaterial: material, backend: backend)
        let receiver = try SRTPSession(keyingMaterial: material.mirrored, backend: backend)
        let capacity = 1200 + SRTPSession.maxTrailer
        let packet = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { packet.deallocate() }
        let template = srtpTestRTPPacket(sequence: 0, ssrc: 0x1122_3344, payload: 1188)
        var sequence: UInt16 = 1
        for _ in 0..<probePackets {
            template.withUnsafeBytes { packet.copyMemory(from: $0.baseAddress!, byteCount: 1200) }
            packet.storeBytes(of: sequence.bigEndian, toByteOffset: 2, as: UInt16.self)
            sequence &+= 1
            let protected = try sender.protectRTP(packet, length: 1200)
            let opened = try receiver.unprotectRTP(packet, length: protected)
            precondition(opened == 1200)
        }
    }

    func testAllocationProbeOurs() throws {
        try allocationProbe(backend: .automatic)
    }

    func testAllocationProbeLibsrtp() throws {
        try allocationProbe(backend: .libsrtp)
    }
}
