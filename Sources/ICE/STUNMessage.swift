/// A decoded STUN message (RFC 8489 §5, §6).
public struct STUNMessage: Sendable, Equatable {
    public var messageClass: STUNClass
    public var method: STUNMethod
    /// 96-bit transaction ID (RFC 8489 §5), 12 bytes. Padded/truncated to 12 on encode.
    public var transactionID: [UInt8]
    /// In wire order. Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are dropped on parse
    /// (RFC 8489 §14.5). On encode, MESSAGE-INTEGRITY and FINGERPRINT entries here are ignored and
    /// recomputed from `encode(integrityKey:fingerprint:)`'s arguments.
    public var attributes: [STUNAttribute]
    /// Value written into attribute padding. RFC 8489 §14 lets it be anything; parse records the
    /// first padding byte seen so that re-encoding is byte-exact. Not part of equality.
    public var paddingByte: UInt8 = 0

    public init(messageClass: STUNClass, method: STUNMethod = .binding, transactionID: [UInt8], attributes: [STUNAttribute] = []) {
        self.messageClass = messageClass
        self.method = method
        self.transactionID = transactionID
        self.attributes = attributes
    }

    /// 12 random bytes for a new transaction (RFC 8489 §6).
    public static func randomTransactionID() -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    public static func == (lhs: STUNMessage, rhs: STUNMessage) -> Bool {
        lhs.messageClass == rhs.messageClass && lhs.method == rhs.method
            && lhs.transactionID == rhs.transactionID && lhs.attributes == rhs.attributes
    }

    /// RFC 8489 §5 / RFC 7983 §7: top two bits zero, magic cookie at offset 4, at least a header.
    public static func isSTUN(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 20 && bytes[0] & 0xC0 == 0 && readUInt32(bytes, 4) == stunMagicCookie
    }

    /// Parses and validates one STUN datagram: header (RFC 8489 §5), attribute TLVs and their
    /// padding (§14), and FINGERPRINT if present (§14.7: must be last, CRC-32 XOR 0x5354554E).
    /// MESSAGE-INTEGRITY is only decoded here; check it with `verifyIntegrity`.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(STUNError) -> STUNMessage {
        guard bytes.count >= 20 else { throw .tooShort }
        guard bytes[0] & 0xC0 == 0, readUInt32(bytes, 4) == stunMagicCookie else { throw .notSTUN }
        let length = Int(readUInt16(bytes, 2))
        guard length % 4 == 0, 20 + length == bytes.count else { throw .badLength }
        let (method, messageClass) = STUNMessageType.decode(readUInt16(bytes, 0))
        let transactionID = Array(bytes[8..<20])

        var attributes: [STUNAttribute] = []
        var paddingByte: UInt8?
        var afterIntegrity = false
        var offset = 20
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw .badAttribute }
            let type = readUInt16(bytes, offset)
            let valueLength = Int(readUInt16(bytes, offset + 2))
            let padded = (valueLength + 3) & ~3
            guard bytes.count - offset - 4 >= padded else { throw .badAttribute }
            let valueStart = offset + 4
            let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<(valueStart + valueLength)])
            if type == STUNAttributeType.fingerprint {
                // RFC 8489 §14.7: last attribute, CRC over everything before it (length already final).
                guard valueLength == 4, valueStart + 4 == bytes.count else { throw .badFingerprint }
                let expected = stunCRC32(UnsafeRawBufferPointer(rebasing: bytes[0..<offset])) ^ stunFingerprintXOR
                let carried = readUInt32(value, 0)
                guard carried == expected else { throw .badFingerprint }
                attributes.append(.fingerprint(carried))
            } else if !afterIntegrity {
                attributes.append(try STUNAttribute.decode(type: type, value: value, transactionID: transactionID))
                if type == STUNAttributeType.messageIntegrity { afterIntegrity = true }
                if paddingByte == nil, padded > valueLength { paddingByte = bytes[valueStart + valueLength] }
            }
            offset = valueStart + padded
        }
        var message = STUNMessage(messageClass: messageClass, method: method, transactionID: transactionID, attributes: attributes)
        message.paddingByte = paddingByte ?? 0
        return message
    }

    /// Encodes; if `integrityKey` is given, appends MESSAGE-INTEGRITY (HMAC-SHA1 over the message with
    /// the length field already counting the MESSAGE-INTEGRITY attribute, RFC 8489 §14.5), then
    /// FINGERPRINT if requested (CRC-32 XOR 0x5354554E, §14.7).
    public func encode(integrityKey: [UInt8]?, fingerprint: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(20 + 24 + 8 + attributes.count * 24)
        out.appendUInt16(STUNMessageType.encode(method: method, messageClass: messageClass))
        out.appendUInt16(0)
        out.appendUInt32(stunMagicCookie)
        var id = Array(transactionID.prefix(12))
        while id.count < 12 { id.append(0) }
        out.append(contentsOf: id)
        for attribute in attributes {
            switch attribute {
            case .messageIntegrity, .fingerprint: continue
            default: attribute.append(to: &out, transactionID: id, paddingByte: paddingByte)
            }
        }
        if let integrityKey {
            Self.setLength(&out, out.count - 20 + 24)
            let mac = out.withUnsafeBytes { stunHMACSHA1(key: integrityKey, header: UnsafeRawBufferPointer(rebasing: $0[0..<20]), body: UnsafeRawBufferPointer(rebasing: $0[20...])) }
            STUNAttribute.messageIntegrity(mac).append(to: &out, transactionID: id, paddingByte: 0)
        }
        if fingerprint {
            Self.setLength(&out, out.count - 20 + 8)
            let crc = out.withUnsafeBytes { stunCRC32($0) } ^ stunFingerprintXOR
            STUNAttribute.fingerprint(crc).append(to: &out, transactionID: id, paddingByte: 0)
        }
        Self.setLength(&out, out.count - 20)
        return out
    }

    private static func setLength(_ out: inout [UInt8], _ length: Int) {
        out[2] = UInt8((length >> 8) & 0xFF)
        out[3] = UInt8(length & 0xFF)
    }

    /// Verifies MESSAGE-INTEGRITY over the raw bytes with `key` (RFC 8489 §14.5). For short-term
    /// credentials (ICE) the key is the password bytes (§9.1.1); for long-term see `longTermKey`.
    public static func verifyIntegrity(_ bytes: UnsafeRawBufferPointer, key: [UInt8]) throws(STUNError) {
        guard bytes.count >= 20 else { throw .tooShort }
        guard bytes[0] & 0xC0 == 0, readUInt32(bytes, 4) == stunMagicCookie else { throw .notSTUN }
        let length = Int(readUInt16(bytes, 2))
        guard length % 4 == 0, 20 + length == bytes.count else { throw .badLength }
        var offset = 20
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw .badAttribute }
            let type = readUInt16(bytes, offset)
            let valueLength = Int(readUInt16(bytes, offset + 2))
            let padded = (valueLength + 3) & ~3
            guard bytes.count - offset - 4 >= padded else { throw .badAttribute }
            if type == STUNAttributeType.messageIntegrity {
                guard valueLength == 20 else { throw .badAttribute }
                let expected = withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { header -> [UInt8] in
                    header.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<20]))
                    let covered = offset - 20 + 24
                    header[2] = UInt8((covered >> 8) & 0xFF)
                    header[3] = UInt8(covered & 0xFF)
                    return stunHMACSHA1(key: key, header: UnsafeRawBufferPointer(header), body: UnsafeRawBufferPointer(rebasing: bytes[20..<offset]))
                }
                var difference: UInt8 = 0
                for i in 0..<20 { difference |= expected[i] ^ bytes[offset + 4 + i] }
                guard difference == 0 else { throw .badIntegrity }
                return
            }
            offset += 4 + padded
        }
        throw .missingIntegrity
    }
}
