/// IEEE 802.3 CRC-32 (reflected polynomial 0xEDB88320), as FINGERPRINT uses it (RFC 8489 §14.7).
public func stunCRC32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    crc32Table.withUnsafeBufferPointer { table in
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
    }
    return crc ^ 0xFFFF_FFFF
}

/// RFC 8489 §14.7: the FINGERPRINT value is the CRC-32 XOR'd with 0x5354554E.
let stunFingerprintXOR: UInt32 = 0x5354_554E

private let crc32Table: [UInt32] = (0..<256).map { index -> UInt32 in
    var c = UInt32(index)
    for _ in 0..<8 {
        c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1)
    }
    return c
}
