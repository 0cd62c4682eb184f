/// TLS settings for a Redis connection: the server's certificate is verified against `caFile`
/// (PEM; the system's trust roots when nil) and the name `serverName` (default: the host).
public struct RedisTLS: Sendable, Equatable {
    public var caFile: String?
    public var serverName: String?

    public init(caFile: String? = nil, serverName: String? = nil) {
        self.caFile = caFile
        self.serverName = serverName
    }
}

/// Where Redis is and how to talk to it.
public struct RedisConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// ACL user for `AUTH <username> <password>` (Redis 6+); nil sends `AUTH <password>`.
    public var username: String?
    /// Sent with `AUTH` right after connecting; nil sends no `AUTH`.
    public var password: String?
    /// Selected with `SELECT` right after connecting (0, the server's default, sends nothing).
    public var database: Int
    /// Seconds for the TCP connect and again for the handshake (`AUTH`, `SELECT`).
    public var connectTimeout: Double
    /// Seconds from a call to its reply, including any wait for a connection.
    public var commandTimeout: Double
    /// First pause before reconnecting after a failed attempt; doubles per failure up to `maxReconnectDelay`.
    public var initialReconnectDelay: Double
    public var maxReconnectDelay: Double
    /// TLS to Redis (`tls-port`, https://redis.io/docs/latest/operate/oss_and_stack/management/security/encryption/);
    /// nil is plain TCP.
    public var tls: RedisTLS?

    public init(
        host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
        database: Int = 0, connectTimeout: Double = 5, commandTimeout: Double = 5,
        initialReconnectDelay: Double = 0.05, maxReconnectDelay: Double = 2
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.initialReconnectDelay = initialReconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
    }

    /// A configuration for `address` ("host:port", "[v6-address]:port"), other settings as given.
    public init(address: String, username: String? = nil, password: String? = nil, database: Int = 0) throws(RedisError) {
        let (host, port) = try Self.parse(address: address)
        self.init(host: host, port: port, username: username, password: password, database: database)
    }

    /// Splits `host:port`. An IPv6 address must be bracketed (`[::1]:6379`), as in RFC 3986 §3.2.2.
    public static func parse(address: String) throws(RedisError) -> (host: String, port: Int) {
        let trimmed = address.trimmingWhitespace()
        let host: Substring
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw .invalidAddress("\"\(address)\": missing \"]\" after the IPv6 address")
            }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .invalidAddress("\"\(address)\": expected \":port\" after \"]\"") }
            portText = rest.dropFirst()
        } else {
            let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw .invalidAddress("\"\(address)\": expected host:port (bracket IPv6 addresses: [::1]:6379)")
            }
            host = parts[0]
            portText = parts[1]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else {
            throw .invalidAddress("\"\(address)\": empty or invalid host")
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), portText.count <= 5,
              let port = Int(portText), (1...65_535).contains(port) else {
            throw .invalidAddress("\"\(address)\": port must be a number from 1 to 65535")
        }
        return (String(host), port)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[start...end]
    }
}
