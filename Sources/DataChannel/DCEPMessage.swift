/// Why a DCEP message could not be parsed.
public enum DCEPError: Error, Equatable, Sendable {
    case empty
    case unknownMessageType(UInt8)
    case truncated
    case invalidUTF8
}

/// Data Channel Establishment Protocol messages (RFC 8832 §5).
public enum DCEPMessage: Equatable, Sendable {
    /// RFC 8832 §5.1 DATA_CHANNEL_OPEN.
    case open(channelType: UInt8, priority: UInt16, reliabilityParameter: UInt32, label: String, protocol: String)
    /// RFC 8832 §5.2 DATA_CHANNEL_ACK.
    case ack

    /// RFC 8832 §8.2.1 message types.
    static let openType: UInt8 = 0x03
    static let ackType: UInt8 = 0x02
    /// Fixed part of DATA_CHANNEL_OPEN before label and protocol.
    static let openHeaderLength = 12

    /// Parses one DCEP message (the payload of an SCTP DATA chunk with PPID 50).
    public static func parse(_ bytes: [UInt8]) throws(DCEPError) -> DCEPMessage {
        guard let type = bytes.first else { throw .empty }
        switch type {
        case ackType:
            // RFC 8832 §5.2: the ACK is one byte; trailing bytes are tolerated.
            return .ack
        case openType:
            return try parseOpen(bytes)
        default:
            throw .unknownMessageType(type)
        }
    }

    /// RFC 8832 §5.1 layout:
    /// type(1) channelType(1) priority(2) reliability(4) labelLength(2) protocolLength(2) label protocol
    private static func parseOpen(_ bytes: [UInt8]) throws(DCEPError) -> DCEPMessage {
        guard bytes.count >= openHeaderLength else { throw .truncated }
        let channelType = bytes[1]
        let priority = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        let reliability = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
        let labelLength = Int(bytes[8]) << 8 | Int(bytes[9])
        let protocolLength = Int(bytes[10]) << 8 | Int(bytes[11])
        guard bytes.count >= openHeaderLength + labelLength + protocolLength else { throw .truncated }
        let labelStart = openHeaderLength
        let protocolStart = labelStart + labelLength
        let label = try utf8String(bytes[labelStart..<protocolStart])
        let proto = try utf8String(bytes[protocolStart..<(protocolStart + protocolLength)])
        return .open(channelType: channelType, priority: priority, reliabilityParameter: reliability,
                     label: label, protocol: proto)
    }

    /// RFC 8832 §5.1: label and protocol are UTF-8; reject sequences that do not round-trip.
    private static func utf8String(_ bytes: ArraySlice<UInt8>) throws(DCEPError) -> String {
        let string = String(decoding: bytes, as: UTF8.self)
        guard string.utf8.elementsEqual(bytes) else { throw .invalidUTF8 }
        return string
    }

    /// Wire bytes. Label and protocol longer than 65535 UTF-8 bytes are truncated to fit
    /// the 16-bit length fields.
    public func serialize() -> [UInt8] {
        switch self {
        case .ack:
            return [Self.ackType]
        case let .open(channelType, priority, reliability, label, proto):
            let labelBytes = Array(label.utf8.prefix(Int(UInt16.max)))
            let protocolBytes = Array(proto.utf8.prefix(Int(UInt16.max)))
            var out: [UInt8] = []
            out.reserveCapacity(Self.openHeaderLength + labelBytes.count + protocolBytes.count)
            out.append(Self.openType)
            out.append(channelType)
            out.append(UInt8(truncatingIfNeeded: priority >> 8))
            out.append(UInt8(truncatingIfNeeded: priority))
            for shift in stride(from: 24, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: reliability >> UInt32(shift)))
            }
            out.append(UInt8(truncatingIfNeeded: labelBytes.count >> 8))
            out.append(UInt8(truncatingIfNeeded: labelBytes.count))
            out.append(UInt8(truncatingIfNeeded: protocolBytes.count >> 8))
            out.append(UInt8(truncatingIfNeeded: protocolBytes.count))
            out.append(contentsOf: labelBytes)
            out.append(contentsOf: protocolBytes)
            return out
        }
    }
}
