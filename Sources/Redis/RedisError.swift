/// Why a Redis command (or the configuration for one) failed.
public enum RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`, `-NOSCRIPT …`).
    case server(String)
    /// No reply within the command timeout. The command may still run on the server.
    case timeout
    /// The connection closed (or broke) after the command was sent and before its reply arrived.
    /// The command may or may not have run.
    case connectionClosed
    /// No connection could be made within the command timeout; the reason of the last attempt.
    /// The command was never sent.
    case notConnected(String)
    /// The client or subscriber was closed.
    case clientClosed
    /// The server sent bytes that are not RESP; the connection was closed.
    case protocolViolation(RESPDecodingError)
    /// The reply has a type the command does not answer with.
    case unexpectedReply(String)
    /// An `address` setting that is not `host:port`.
    case invalidAddress(String)
    /// The TLS settings could not be used (an unreadable CA file, ...).
    case tls(String)

    public var description: String {
        switch self {
        case .server(let message): return "Redis error reply: \(message)"
        case .timeout: return "Redis command timed out"
        case .connectionClosed: return "Redis connection closed before the reply"
        case .notConnected(let reason): return "not connected to Redis: \(reason)"
        case .clientClosed: return "Redis client closed"
        case .protocolViolation(let error): return "Redis protocol violation: \(error)"
        case .unexpectedReply(let reply): return "unexpected Redis reply: \(reply)"
        case .invalidAddress(let reason): return "invalid Redis address: \(reason)"
        case .tls(let reason): return "Redis TLS: \(reason)"
        }
    }
}
