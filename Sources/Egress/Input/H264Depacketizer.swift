/// RTP payload → Annex B NAL units for H.264 in packetization mode 0 or 1 (RFC 6184 §6.2, §6.3):
/// single NAL unit packets (§5.6), STAP-A (§5.7.1) and FU-A (§5.8). Each NAL unit is written with a
/// four-byte start code (ITU-T H.264 Annex B.1).
struct H264Depacketizer: Sendable {
    static let startCode: [UInt8] = [0, 0, 0, 1]
    static let idrType: UInt8 = 5
    static let spsType: UInt8 = 7

    /// True between an FU-A start (S) and its end (E).
    private(set) var inFragment = false

    /// NAL unit types written by one packet.
    struct Contents: Equatable {
        var hasIDR = false
        var hasSPS = false
        /// The packet begins a NAL unit (not an FU-A continuation).
        var startsNAL = false
    }

    mutating func reset() { inFragment = false }

    /// Appends the packet's NAL units to `data`. On a throw, `data` may hold a partial unit and the
    /// frame must be discarded.
    mutating func append(_ payload: UnsafeRawBufferPointer, to data: inout [UInt8]) throws(DepacketizationError) -> Contents {
        let n = payload.count
        guard n >= 1 else { throw .truncatedDescriptor }
        let type = payload[0] & 0x1F
        var contents = Contents()
        switch type {
        case 1...23:
            // §5.6: the payload is exactly one NAL unit, header included.
            guard !inFragment else { inFragment = false; throw .fragmentOutOfOrder }
            data.append(contentsOf: H264Depacketizer.startCode)
            data.append(contentsOf: payload)
            note(type, in: &contents)
            contents.startsNAL = true
        case 24:
            // §5.7.1: STAP-A header, then [16-bit size][NAL unit] repeated.
            guard !inFragment else { inFragment = false; throw .fragmentOutOfOrder }
            var o = 1
            guard n > o else { throw .truncatedAggregate }
            while o < n {
                guard o + 2 <= n else { throw .truncatedAggregate }
                let size = Int(payload[o]) << 8 | Int(payload[o + 1])
                o += 2
                guard size > 0, o + size <= n else { throw .truncatedAggregate }
                data.append(contentsOf: H264Depacketizer.startCode)
                data.append(contentsOf: UnsafeRawBufferPointer(rebasing: payload[o..<(o + size)]))
                note(payload[o] & 0x1F, in: &contents)
                o += size
            }
            contents.startsNAL = true
        case 28:
            // §5.8: FU indicator (F, NRI, type 28), FU header (S, E, R, original type).
            guard n >= 2 else { throw .truncatedDescriptor }
            let header = payload[1]
            let start = header & 0x80 != 0
            let end = header & 0x40 != 0
            if start {
                guard !inFragment else { inFragment = false; throw .fragmentOutOfOrder }
                // The reconstructed NAL header: F and NRI from the indicator, type from the FU header.
                data.append(contentsOf: H264Depacketizer.startCode)
                data.append(payload[0] & 0xE0 | header & 0x1F)
                note(header & 0x1F, in: &contents)
                contents.startsNAL = true
                inFragment = true
            } else {
                guard inFragment else { throw .fragmentOutOfOrder }
            }
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: payload[2..<n]))
            if end { inFragment = false }
        default:
            throw .unsupportedNALType(type)
        }
        return contents
    }

    private func note(_ nalType: UInt8, in contents: inout Contents) {
        if nalType == H264Depacketizer.idrType { contents.hasIDR = true }
        if nalType == H264Depacketizer.spsType { contents.hasSPS = true }
    }
}
