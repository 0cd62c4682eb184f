/// One STUN attribute, decoded (RFC 8489 §14; ICE attributes RFC 8445 §16.1).
/// Addresses inside `xorMappedAddress` are stored plain; the XOR is applied on the wire only.
public enum STUNAttribute: Sendable, Equatable {
    case username(String)
    case messageIntegrity([UInt8])
    case fingerprint(UInt32)
    case xorMappedAddress(TransportAddress)
    case mappedAddress(TransportAddress)
    case priority(UInt32)
    case useCandidate
    case iceControlling(UInt64)
    case iceControlled(UInt64)
    case errorCode(code: Int, reason: String)
    case software(String)
    case realm(String)
    case nonce(String)
    case unknown(type: UInt16, value: [UInt8])

    /// The attribute type on the wire.
    public var type: UInt16 {
        switch self {
        case .username: return STUNAttributeType.username
        case .messageIntegrity: return STUNAttributeType.messageIntegrity
        case .fingerprint: return STUNAttributeType.fingerprint
        case .xorMappedAddress: return STUNAttributeType.xorMappedAddress
        case .mappedAddress: return STUNAttributeType.mappedAddress
        case .priority: return STUNAttributeType.priority
        case .useCandidate: return STUNAttributeType.useCandidate
        case .iceControlling: return STUNAttributeType.iceControlling
        case .iceControlled: return STUNAttributeType.iceControlled
        case .errorCode: return STUNAttributeType.errorCode
        case .software: return STUNAttributeType.software
        case .realm: return STUNAttributeType.realm
        case .nonce: return STUNAttributeType.nonce
        case .unknown(let type, _): return type
        }
    }
}

/// Attribute type codes (RFC 8489 §18.3, RFC 8445 §16.1).
public enum STUNAttributeType {
    public static let mappedAddress: UInt16 = 0x0001
    public static let username: UInt16 = 0x0006
    public static let messageIntegrity: UInt16 = 0x0008
    public static let errorCode: UInt16 = 0x0009
    public static let unknownAttributes: UInt16 = 0x000A
    public static let realm: UInt16 = 0x0014
    public static let nonce: UInt16 = 0x0015
    public static let xorMappedAddress: UInt16 = 0x0020
    public static let priority: UInt16 = 0x0024
    public static let useCandidate: UInt16 = 0x0025
    public static let software: UInt16 = 0x8022
    public static let fingerprint: UInt16 = 0x8028
    public static let iceControlled: UInt16 = 0x8029
    public static let iceControlling: UInt16 = 0x802A
}

/// RFC 8489 §5: the fixed magic cookie.
let stunMagicCookie: UInt32 = 0x2112_A442

// MARK: - decoding

extension STUNAttribute {
    /// Decodes one attribute value (without padding). `transactionID` is needed for XOR-MAPPED-ADDRESS.
    static func decode(type: UInt16, value: UnsafeRawBufferPointer, transactionID: [UInt8]) throws(STUNError) -> STUNAttribute {
        switch type {
        case STUNAttributeType.username: return .username(try decodeUTF8(value))
        case STUNAttributeType.software: return .software(try decodeUTF8(value))
        case STUNAttributeType.realm: return .realm(try decodeUTF8(value))
        case STUNAttributeType.nonce: return .nonce(try decodeUTF8(value))
        case STUNAttributeType.messageIntegrity:
            // RFC 8489 §14.5: 20 bytes of HMAC-SHA1.
            guard value.count == 20 else { throw .badAttribute }
            return .messageIntegrity(Array(value))
        case STUNAttributeType.fingerprint:
            guard value.count == 4 else { throw .badAttribute }
            return .fingerprint(readUInt32(value, 0))
        case STUNAttributeType.priority:
            guard value.count == 4 else { throw .badAttribute }
            return .priority(readUInt32(value, 0))
        case STUNAttributeType.useCandidate:
            guard value.isEmpty else { throw .badAttribute }
            return .useCandidate
        case STUNAttributeType.iceControlling:
            guard value.count == 8 else { throw .badAttribute }
            return .iceControlling(readUInt64(value))
        case STUNAttributeType.iceControlled:
            guard value.count == 8 else { throw .badAttribute }
            return .iceControlled(readUInt64(value))
        case STUNAttributeType.mappedAddress:
            return .mappedAddress(try decodeAddress(value, xorWith: nil))
        case STUNAttributeType.xorMappedAddress:
            return .xorMappedAddress(try decodeAddress(value, xorWith: transactionID))
        case STUNAttributeType.errorCode:
            // RFC 8489 §14.8: 21 reserved bits, class (3 bits), number (8 bits), reason phrase.
            guard value.count >= 4 else { throw .badAttribute }
            let errorClass = Int(value[2] & 0x07)
            let number = Int(value[3])
            guard number < 100 else { throw .badAttribute }
            let reason = try decodeUTF8(UnsafeRawBufferPointer(rebasing: value[4...]))
            return .errorCode(code: errorClass * 100 + number, reason: reason)
        default:
            return .unknown(type: type, value: Array(value))
        }
    }

    private static func decodeUTF8(_ value: UnsafeRawBufferPointer) throws(STUNError) -> String {
        guard let text = String(validating: value, as: UTF8.self) else { throw .badAttribute }
        return text
    }

    /// RFC 8489 §14.1 (MAPPED-ADDRESS) and §14.2 (XOR-MAPPED-ADDRESS).
    private static func decodeAddress(_ value: UnsafeRawBufferPointer, xorWith transactionID: [UInt8]?) throws(STUNError) -> TransportAddress {
        guard value.count >= 4 else { throw .badAttribute }
        let family = value[1]
        var port = UInt16(value[2]) << 8 | UInt16(value[3])
        var ip: [UInt8]
        switch (family, value.count) {
        case (0x01, 8): ip = Array(value[4..<8])
        case (0x02, 20): ip = Array(value[4..<20])
        default: throw .badAttribute
        }
        if let transactionID {
            port ^= UInt16(stunMagicCookie >> 16)
            let mask = xorMask(transactionID: transactionID)
            for i in ip.indices { ip[i] ^= mask[i] }
        }
        return TransportAddress(ip: ip, port: port)
    }
}

/// RFC 8489 §14.2: the cookie followed by the transaction ID, XOR'd over the address.
func xorMask(transactionID: [UInt8]) -> [UInt8] {
    var mask: [UInt8] = [0x21, 0x12, 0xA4, 0x42]
    mask.append(contentsOf: transactionID.prefix(12))
    while mask.count < 16 { mask.append(0) }
    return mask
}

func readUInt16(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt16 {
    UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
}

func readUInt32(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
    UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
}

private func readUInt64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    UInt64(readUInt32(bytes, 0)) << 32 | UInt64(readUInt32(bytes, 4))
}

// MARK: - encoding

extension STUNAttribute {
    /// Appends type, length, value and padding (RFC 8489 §14: values padded to 4 bytes).
    func append(to out: inout [UInt8], transactionID: [UInt8], paddingByte: UInt8) {
        let start = out.count
        out.appendUInt16(type)
        out.appendUInt16(0)  // length, patched below
        switch self {
        case .username(let s), .software(let s), .realm(let s), .nonce(let s):
            out.append(contentsOf: s.utf8)
        case .messageIntegrity(let mac):
            out.append(contentsOf: mac)
        case .fingerprint(let v), .priority(let v):
            out.appendUInt32(v)
        case .useCandidate:
            break
        case .iceControlling(let v), .iceControlled(let v):
            out.appendUInt32(UInt32(truncatingIfNeeded: v >> 32))
            out.appendUInt32(UInt32(truncatingIfNeeded: v))
        case .mappedAddress(let address):
            Self.appendAddress(address, xorWith: nil, to: &out)
        case .xorMappedAddress(let address):
            Self.appendAddress(address, xorWith: transactionID, to: &out)
        case .errorCode(let code, let reason):
            let clamped = max(0, min(code, 799))
            out.append(contentsOf: [0, 0, UInt8(clamped / 100), UInt8(clamped % 100)])
            out.append(contentsOf: reason.utf8)
        case .unknown(_, let value):
            out.append(contentsOf: value)
        }
        let length = min(out.count - start - 4, Int(UInt16.max))
        out[start + 2] = UInt8(length >> 8)
        out[start + 3] = UInt8(length & 0xFF)
        while (out.count - start) % 4 != 0 { out.append(paddingByte) }
    }

    private static func appendAddress(_ address: TransportAddress, xorWith transactionID: [UInt8]?, to out: inout [UInt8]) {
        let v4 = address.isIPv4
        var ip = v4 ? address.ip : Array(address.ip.prefix(16))
        while !v4 && ip.count < 16 { ip.append(0) }
        var port = address.port
        if let transactionID {
            port ^= UInt16(stunMagicCookie >> 16)
            let mask = xorMask(transactionID: transactionID)
            for i in ip.indices { ip[i] ^= mask[i] }
        }
        out.append(0)
        out.append(v4 ? 0x01 : 0x02)
        out.appendUInt16(port)
        out.append(contentsOf: ip)
    }
}

extension Array where Element == UInt8 {
    mutating func appendUInt16(_ v: UInt16) {
        append(UInt8(v >> 8))
        append(UInt8(v & 0xFF))
    }

    mutating func appendUInt32(_ v: UInt32) {
        append(UInt8(v >> 24))
        append(UInt8((v >> 16) & 0xFF))
        append(UInt8((v >> 8) & 0xFF))
        append(UInt8(v & 0xFF))
    }
}
