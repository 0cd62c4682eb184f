/// RFC 1982 serial number arithmetic on 16-bit sequence numbers: true if `a` comes after `b`.
/// At exactly half the space apart (undefined in RFC 1982 §3.2) the numerically larger one wins,
/// so the relation stays antisymmetric.
public func isNewer(_ a: UInt16, than b: UInt16) -> Bool {
    let d = a &- b
    if d == 0x8000 { return a > b }
    return d != 0 && d < 0x8000
}

/// RFC 1982 comparison for 32-bit RTP timestamps.
public func isNewerTimestamp(_ a: UInt32, than b: UInt32) -> Bool {
    let d = a &- b
    if d == 0x8000_0000 { return a > b }
    return d != 0 && d < 0x8000_0000
}

/// Extends 16-bit sequence numbers to 64 bits (RFC 3550 Appendix A.1 cycle counting). Each value
/// is placed at the nearest position to the previously unwrapped one, so packets reordered across
/// the 65535 -> 0 wrap land on the right cycle. The first value is returned as is; values reordered
/// before it may be negative.
public struct SequenceUnwrapper: Sendable {
    private var last: Int64?

    public init() {}

    public mutating func unwrap(_ seq: UInt16) -> Int64 {
        guard let last else {
            self.last = Int64(seq)
            return Int64(seq)
        }
        let delta = Int64(Int16(bitPattern: seq &- UInt16(truncatingIfNeeded: last)))
        let value = last + delta
        self.last = value
        return value
    }
}

/// Extends 32-bit RTP timestamps to 64 bits, like `SequenceUnwrapper`.
public struct TimestampUnwrapper: Sendable {
    private var last: Int64?

    public init() {}

    public mutating func unwrap(_ ts: UInt32) -> Int64 {
        guard let last else {
            self.last = Int64(ts)
            return Int64(ts)
        }
        let delta = Int64(Int32(bitPattern: ts &- UInt32(truncatingIfNeeded: last)))
        let value = last + delta
        self.last = value
        return value
    }
}

/// NTP time helpers (RFC 3550 §4): 64-bit NTP (32.32 fixed point seconds since 1900) and the
/// middle 32 bits ("compact NTP", 16.16) used in the LSR/DLSR fields (§6.4.1).
public enum NTPTime {
    /// Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch).
    public static let unixEpochOffset: UInt64 = 2_208_988_800

    /// Returns 0 for non-finite input or times before 1900.
    public static func fromUnix(seconds: Double) -> UInt64 {
        guard seconds.isFinite else { return 0 }
        let ntpSeconds = seconds + Double(unixEpochOffset)
        guard ntpSeconds >= 0, ntpSeconds < 4_294_967_296 else { return 0 }
        let whole = ntpSeconds.rounded(.down)
        var fraction = ((ntpSeconds - whole) * 4_294_967_296).rounded()
        if fraction >= 4_294_967_296 { fraction = 4_294_967_295 }
        return UInt64(whole) << 32 | UInt64(fraction)
    }

    /// Unix seconds of a 64-bit NTP timestamp.
    public static func toUnix(_ ntp: UInt64) -> Double {
        Double(ntp >> 32) - Double(unixEpochOffset) + Double(ntp & 0xFFFF_FFFF) / 4_294_967_296
    }

    public static func compact(_ ntp: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: ntp >> 16)
    }

    /// A duration in seconds as a compact NTP value (1/65536 s units), e.g. for DLSR.
    public static func compactDuration(seconds: Double) -> UInt32 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        let units = (seconds * 65536).rounded()
        return units >= 4_294_967_295 ? UInt32.max : UInt32(units)
    }
}
