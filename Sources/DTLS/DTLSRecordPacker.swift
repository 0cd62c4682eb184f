/// Groups the bytes OpenSSL wrote to its outbound memory BIO into datagrams.
///
/// A memory BIO is a byte stream, so a flight of several records arrives as one run of bytes.
/// RFC 6347 §4.1.1: a record must not span datagrams, but several records may share one.
/// We split at record boundaries (the 13-byte header carries the length, RFC 6347 §4.1) and pack
/// whole records greedily into datagrams of at most `mtu` bytes. A record larger than `mtu` goes
/// alone; bytes that do not parse as records are sent as one datagram as they are.
struct DTLSRecordPacker: Sendable {
    /// RFC 6347 §4.1: type(1) version(2) epoch(2) sequence_number(6) length(2).
    static let recordHeaderLength = 13

    var mtu: Int

    /// Ranges of `bytes` (as offsets) forming one datagram each.
    func datagramRanges(_ bytes: UnsafeRawBufferPointer) -> [Range<Int>] {
        var datagrams: [Range<Int>] = []
        var datagramStart = 0
        var offset = 0
        while offset < bytes.count {
            let remaining = bytes.count - offset
            guard remaining >= Self.recordHeaderLength else {
                // Not a whole record header: flush what we have, then the tail alone.
                if offset > datagramStart { datagrams.append(datagramStart..<offset) }
                datagrams.append(offset..<bytes.count)
                return datagrams
            }
            let bodyLength = Int(bytes[offset + 11]) << 8 | Int(bytes[offset + 12])
            let recordLength = Self.recordHeaderLength + bodyLength
            guard recordLength <= remaining else {
                if offset > datagramStart { datagrams.append(datagramStart..<offset) }
                datagrams.append(offset..<bytes.count)
                return datagrams
            }
            if offset > datagramStart && offset + recordLength - datagramStart > mtu {
                datagrams.append(datagramStart..<offset)
                datagramStart = offset
            }
            offset += recordLength
        }
        if offset > datagramStart { datagrams.append(datagramStart..<offset) }
        return datagrams
    }
}
