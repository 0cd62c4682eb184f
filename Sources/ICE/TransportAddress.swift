#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address and UDP port, as STUN carries it (RFC 8489 §14.1): our own value, no NIO.
/// The address is stored inline (no heap storage), so building one per received datagram and
/// looking it up in a dictionary allocates nothing.
public struct TransportAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address bytes in network order, left-aligned in 16 bytes (IPv4 uses the first 4).
    private var storage: (UInt64, UInt64) = (0, 0)
    /// 4 (IPv4) or 16 (IPv6); other sizes only from `init(ip:port:)` with such an array.
    private var length: UInt8
    public var port: UInt16

    public init(ip: [UInt8], port: UInt16) {
        length = UInt8(min(ip.count, 16))
        self.port = port
        ip.withUnsafeBytes { self.setBytes($0) }
    }

    /// From raw address bytes in network order (4 or 16 of them).
    public init(bytes: UnsafeRawBufferPointer, port: UInt16) {
        length = UInt8(min(bytes.count, 16))
        self.port = port
        setBytes(bytes)
    }

    private mutating func setBytes(_ bytes: UnsafeRawBufferPointer) {
        let count = Int(length)
        withUnsafeMutableBytes(of: &storage) { out in
            out.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
        }
    }

    /// The address bytes as stored (network order, left-aligned in 16 bytes) and how many
    /// count (4 or 16): for filling C socket addresses without an array.
    public var packedBytes: (bytes: (UInt64, UInt64), count: Int) { (storage, Int(length)) }

    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public var ip: [UInt8] {
        withUnsafeBytes(of: storage) { Array($0[0..<Int(length)]) }
    }

    public static func == (lhs: TransportAddress, rhs: TransportAddress) -> Bool {
        lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1 && lhs.length == rhs.length && lhs.port == rhs.port
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(length)
        hasher.combine(port)
    }

    /// Parses a numeric address: "127.0.0.1", "::1", "2001:db8::1", "[::1]". Nil for anything else.
    public init?(string: String, port: UInt16) {
        var text = Substring(string)
        if text.hasPrefix("["), text.hasSuffix("]") {
            text = text.dropFirst().dropLast()
        }
        let literal = String(text)
        if !literal.contains(":") {
            var v4 = [UInt8](repeating: 0, count: 4)
            let ok = v4.withUnsafeMutableBytes { inet_pton(AF_INET, literal, $0.baseAddress) }
            guard ok == 1 else { return nil }
            self.init(ip: v4, port: port)
        } else {
            var v6 = [UInt8](repeating: 0, count: 16)
            let ok = v6.withUnsafeMutableBytes { inet_pton(AF_INET6, literal, $0.baseAddress) }
            guard ok == 1 else { return nil }
            self.init(ip: v6, port: port)
        }
    }

    public var isIPv4: Bool { length == 4 }

    /// Dotted quad for IPv4, RFC 5952 text for IPv6 (via inet_ntop); hex bytes if `ip` has another size.
    public var ipString: String {
        let family: Int32
        switch ip.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return ip.map { String($0, radix: 16) }.joined(separator: ".")
        }
        var text = [CChar](repeating: 0, count: 64)
        let ok = ip.withUnsafeBytes { raw in
            text.withUnsafeMutableBufferPointer { out in
                inet_ntop(family, raw.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        guard ok else { return "?" }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// "1.2.3.4:5" or "[::1]:5".
    public var description: String {
        isIPv4 ? "\(ipString):\(port)" : "[\(ipString)]:\(port)"
    }
}
