/// The server a load test may aim at: a loopback host only, so a load test can never be
/// pointed at someone else's server by mistake.
public struct LoopbackTarget: Sendable, Equatable {
    /// `127.0.0.1`, `::1` or `localhost`, as written in the URL.
    public var host: String
    public var port: Int
    /// `ws://host:port` (the `/rtc` path is appended by the signalling client).
    public var webSocketBase: String

    /// Parses `http://`, `https://`, `ws://` or `wss://` URLs (or a bare `host:port`).
    /// Only plain (non-TLS) schemes are accepted: loopback needs no TLS.
    public init(url text: String) throws(LoadTestOptionError) {
        var rest = Substring(text.trimmingCharacters(in: " \t\n"))
        var scheme = "http"
        if let range = rest.range(of: "://") {
            scheme = rest[..<range.lowerBound].lowercased()
            rest = rest[range.upperBound...]
        }
        guard scheme == "http" || scheme == "ws" else { throw .unsupportedScheme(scheme) }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        guard !rest.contains("@") else { throw .invalidURL(text) }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalidURL(text) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw .invalidURL(text) }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw .invalidURL(text) }
        var port = 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw .invalidURL(text) }
            port = value
        }
        let name = host.lowercased()
        guard Self.isLoopback(name) else { throw .notLoopback(String(host)) }
        self.host = name
        self.port = port
        let bracketed = name.contains(":") ? "[\(name)]" : name
        self.webSocketBase = "ws://\(bracketed):\(port)"
    }

    /// `localhost`, `::1`, and any 127.0.0.0/8 address (RFC 1122 §3.2.1.3).
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in
            guard let value = Int(part), part.count <= 3 else { return false }
            return (0...255).contains(value)
        }
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
