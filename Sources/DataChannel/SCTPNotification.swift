/// The usrsctp notifications the association acts on (RFC 6458 §6.1), decoded from
/// the raw `union sctp_notification` bytes (host byte order, as usrsctp writes them).
package enum SCTPNotification: Equatable, Sendable {
    /// RFC 6458 §6.1.1 SCTP_ASSOC_CHANGE.
    case associationChange(state: UInt16)
    /// RFC 6458 §6.1.11 / RFC 6525 §6.1.1 SCTP_STREAM_RESET_EVENT.
    case streamReset(flags: UInt16, streams: [UInt16])
    /// RFC 6458 §6.1.7 SCTP_PARTIAL_DELIVERY_EVENT.
    case partialDelivery(indication: UInt32, stream: UInt32)
    /// A notification type we do not subscribe to or act on.
    case other(type: UInt16)

    // RFC 6458 §6.1 notification types.
    static let associationChangeType: UInt16 = 0x0001
    static let partialDeliveryType: UInt16 = 0x0007
    static let streamResetType: UInt16 = 0x0009

    // RFC 6458 §6.1.1 sac_state values.
    static let commUp: UInt16 = 0x0001
    static let commLost: UInt16 = 0x0002
    static let restart: UInt16 = 0x0003
    static let shutdownComplete: UInt16 = 0x0004
    static let cantStartAssociation: UInt16 = 0x0005

    // RFC 6525 §6.1.1 strreset_flags.
    static let resetIncoming: UInt16 = 0x0001
    static let resetOutgoing: UInt16 = 0x0002
    static let resetDenied: UInt16 = 0x0004
    static let resetFailed: UInt16 = 0x0008

    static let partialDeliveryAborted: UInt32 = 0x0001

    package enum ParseError: Error, Equatable { case truncated }

    /// Decodes a notification. Every field read is bounds-checked against the buffer
    /// and the notification's own length field.
    package static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> SCTPNotification {
        // Header: sn_type u16, sn_flags u16, sn_length u32.
        guard bytes.count >= 8 else { throw .truncated }
        let type = bytes.loadUnaligned(fromByteOffset: 0, as: UInt16.self)
        let flags = bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self)
        let declared = Int(bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let length = min(declared, bytes.count)
        switch type {
        case associationChangeType:
            // sac_state u16 at 8.
            guard length >= 10 else { throw .truncated }
            return .associationChange(state: bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        case streamResetType:
            // strreset_assoc_id u32 at 8, strreset_stream_list u16[] from 12.
            guard length >= 12 else { throw .truncated }
            var streams: [UInt16] = []
            var offset = 12
            while offset + 2 <= length {
                streams.append(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                offset += 2
            }
            return .streamReset(flags: flags, streams: streams)
        case partialDeliveryType:
            // pdapi_indication u32 at 8, pdapi_stream u32 at 12.
            guard length >= 16 else { throw .truncated }
            return .partialDelivery(indication: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self),
                                    stream: bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        default:
            return .other(type: type)
        }
    }
}
