// Big-endian (network order, RFC 3550 §4 "Byte Order, Alignment, and Time Format")
// readers and writers over raw buffers. Callers check bounds before calling; these
// helpers are internal to the module so no unchecked access leaks out.

extension UnsafeRawBufferPointer {
    @inline(__always) func be16(_ o: Int) -> UInt16 {
        UInt16(self[o]) << 8 | UInt16(self[o + 1])
    }

    @inline(__always) func be24(_ o: Int) -> UInt32 {
        UInt32(self[o]) << 16 | UInt32(self[o + 1]) << 8 | UInt32(self[o + 2])
    }

    @inline(__always) func be32(_ o: Int) -> UInt32 {
        UInt32(self[o]) << 24 | UInt32(self[o + 1]) << 16 | UInt32(self[o + 2]) << 8 | UInt32(self[o + 3])
    }

    @inline(__always) func be64(_ o: Int) -> UInt64 {
        UInt64(be32(o)) << 32 | UInt64(be32(o + 4))
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always) func put16(_ v: UInt16, at o: Int) {
        self[o] = UInt8(truncatingIfNeeded: v >> 8)
        self[o + 1] = UInt8(truncatingIfNeeded: v)
    }

    @inline(__always) func put32(_ v: UInt32, at o: Int) {
        self[o] = UInt8(truncatingIfNeeded: v >> 24)
        self[o + 1] = UInt8(truncatingIfNeeded: v >> 16)
        self[o + 2] = UInt8(truncatingIfNeeded: v >> 8)
        self[o + 3] = UInt8(truncatingIfNeeded: v)
    }
}

/// Growable big-endian byte sink used by the (non hot path) serializers.
struct ByteSink {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    mutating func u24(_ v: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    mutating func u32(_ v: UInt32) {
        u16(UInt16(truncatingIfNeeded: v >> 16))
        u16(UInt16(truncatingIfNeeded: v))
    }

    mutating func u64(_ v: UInt64) {
        u32(UInt32(truncatingIfNeeded: v >> 32))
        u32(UInt32(truncatingIfNeeded: v))
    }

    mutating func append<S: Sequence>(contentsOf s: S) where S.Element == UInt8 {
        bytes.append(contentsOf: s)
    }

    /// Zero-fills up to the next multiple of 4 bytes (RFC 3550 §6.4: 32-bit alignment).
    mutating func padToWord() {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    mutating func set16(_ v: UInt16, at o: Int) {
        bytes[o] = UInt8(truncatingIfNeeded: v >> 8)
        bytes[o + 1] = UInt8(truncatingIfNeeded: v)
    }
}
