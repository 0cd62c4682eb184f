import CDTLS

/// Measures what SRTP costs per packet on this machine, for benchmarks and diagnostics (never
/// for assertions). Protects `packetCount` RTP packets of `packetSize` bytes in batches, then
/// unprotects them with the mirrored session, and reports nanoseconds per packet for each.
public enum SRTPCostProbe {
    public struct Result: Sendable {
        public var profile: SRTPProtectionProfile
        public var packetSize: Int
        public var packets: Int
        public var protectNanosecondsPerPacket: Double
        public var unprotectNanosecondsPerPacket: Double
    }

    public static func measure(profile: SRTPProtectionProfile, packetSize: Int = 1200,
                               packetCount: Int = 20_000) throws -> Result {
        precondition(packetSize >= 12, "an RTP packet has at least a 12-byte header")
        let material = SRTPKeyingMaterial(
            profile: profile,
            localMasterKey: (0..<profile.masterKeyLength).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) },
            localMasterSalt: (0..<profile.masterSaltLength).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 3) },
            remoteMasterKey: (0..<profile.masterKeyLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) },
            remoteMasterSalt: (0..<profile.masterSaltLength).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 9) })
        let sender = try SRTPSession(keyingMaterial: material)
        let receiver = try SRTPSession(keyingMaterial: material.mirrored)

        let batch = 256
        let stride = packetSize + SRTPSession.maxTrailer
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: stride * batch, alignment: 16)
        defer { storage.deallocate() }
        var lengths = [Int](repeating: 0, count: batch)
        var protectTime = Duration.zero
        var unprotectTime = Duration.zero
        let clock = ContinuousClock()
        var sequence: UInt16 = 1
        var done = 0
        while done < packetCount {
            let count = min(batch, packetCount - done)
            for index in 0..<count {
                let packet = storage.baseAddress! + index * stride
                writeRTPHeader(packet, sequence: sequence, payloadSize: packetSize - 12)
                sequence &+= 1
            }
            let protectStart = clock.now
            for index in 0..<count {
                lengths[index] = try sender.protectRTP(storage.baseAddress! + index * stride, length: packetSize)
            }
            let unprotectStart = clock.now
            for index in 0..<count {
                lengths[index] = try receiver.unprotectRTP(storage.baseAddress! + index * stride, length: lengths[index])
            }
            let end = clock.now
            protectTime += unprotectStart - protectStart
            unprotectTime += end - unprotectStart
            done += count
        }
        func nanoseconds(_ d: Duration) -> Double {
            Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
        }
        return Result(profile: profile, packetSize: packetSize, packets: packetCount,
                      protectNanosecondsPerPacket: nanoseconds(protectTime) / Double(packetCount),
                      unprotectNanosecondsPerPacket: nanoseconds(unprotectTime) / Double(packetCount))
    }

    /// RFC 3550 §5.1 fixed header: V=2, PT=96, the given sequence number, SSRC 0x11223344.
    private static func writeRTPHeader(_ packet: UnsafeMutableRawPointer, sequence: UInt16, payloadSize: Int) {
        let bytes = packet.assumingMemoryBound(to: UInt8.self)
        bytes[0] = 0x80
        bytes[1] = 96
        bytes[2] = UInt8(sequence >> 8)
        bytes[3] = UInt8(sequence & 0xFF)
        let timestamp = UInt32(sequence) &* 3000
        bytes[4] = UInt8(timestamp >> 24); bytes[5] = UInt8((timestamp >> 16) & 0xFF)
        bytes[6] = UInt8((timestamp >> 8) & 0xFF); bytes[7] = UInt8(timestamp & 0xFF)
        bytes[8] = 0x11; bytes[9] = 0x22; bytes[10] = 0x33; bytes[11] = 0x44
        (packet + 12).initializeMemory(as: UInt8.self, repeating: 0xAB, count: payloadSize)
    }
}
