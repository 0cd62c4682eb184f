#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address and UDP port, as STUN carries it (RFC 8489 §14.1): our own value, no NIO.
public struct TransportAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public var ip: [UInt8]
    public var port: UInt16

    public init(ip: [UInt8], port: UInt16) {
        self.ip = ip
        self.port = port
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

    public var isIPv4: Bool { ip.count == 4 }

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
