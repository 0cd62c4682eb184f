/// One value of the Redis serialization protocol.
///
/// RESP2 types in full, plus the RESP3 types a server could send even though this client never
/// asks for RESP3 (it never sends `HELLO 3`): null, boolean, double, map and push.
/// Spec: https://redis.io/docs/latest/develop/reference/protocol-spec/ ("RESP protocol description").
public enum RESPValue: Sendable {
    /// `+OK\r\n`: a short status line without CR or LF.
    case simpleString(String)
    /// `-ERR message\r\n`: an error reply. A top-level error reply is thrown by the client as
    /// `RedisError.server`; errors nested in arrays (`EXEC`, `EVAL`) stay values.
    case error(String)
    /// `:1000\r\n`: a signed 64-bit integer.
    case integer(Int64)
    /// `$5\r\nhello\r\n`, binary safe; `$-1\r\n` (the RESP2 null bulk string) is `nil`.
    case bulkString([UInt8]?)
    /// `*2\r\n…`; `*-1\r\n` (the RESP2 null array) is `nil`.
    case array([RESPValue]?)
    /// RESP3 `_\r\n`.
    case null
    /// RESP3 `#t\r\n` / `#f\r\n`.
    case boolean(Bool)
    /// RESP3 `,3.14\r\n` (also `inf`, `-inf`, `nan`).
    case double(Double)
    /// RESP3 `%2\r\n…`: key/value pairs in the order the server sent them.
    case map([(key: RESPValue, value: RESPValue)])
    /// RESP3 `>3\r\n…`: out-of-band data (pub/sub messages in RESP3).
    case push([RESPValue])
}

extension RESPValue: Equatable {
    public static func == (lhs: RESPValue, rhs: RESPValue) -> Bool {
        switch (lhs, rhs) {
        case let (.simpleString(a), .simpleString(b)): return a == b
        case let (.error(a), .error(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.bulkString(a), .bulkString(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case (.null, .null): return true
        case let (.boolean(a), .boolean(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.map(a), .map(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.push(a), .push(b)): return a == b
        default: return false
        }
    }
}

extension RESPValue {
    /// A bulk string of UTF-8 bytes.
    public static func bulk(_ string: String) -> RESPValue { .bulkString(Array(string.utf8)) }

    /// True for the null bulk string, the null array and RESP3 null.
    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil), .null: return true
        default: return false
        }
    }

    /// The bytes of a bulk or simple string.
    public var bytesValue: [UInt8]? {
        switch self {
        case .bulkString(let bytes?): return bytes
        case .simpleString(let string): return Array(string.utf8)
        default: return nil
        }
    }

    /// A bulk or simple string as text (invalid UTF-8 is repaired with U+FFFD).
    public var stringValue: String? {
        switch self {
        case .bulkString(let bytes?): return String(decoding: bytes, as: UTF8.self)
        case .simpleString(let string): return string
        default: return nil
        }
    }

    /// An integer reply.
    public var int64Value: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The elements of a non-null array (or of a RESP3 push).
    public var arrayValue: [RESPValue]? {
        switch self {
        case .array(let elements?): return elements
        case .push(let elements): return elements
        default: return nil
        }
    }
}

extension RESPValue: CustomStringConvertible {
    /// A short rendering for logs and error messages (long strings and arrays are cut).
    public var description: String {
        switch self {
        case .simpleString(let string): return "+\(string)"
        case .error(let message): return "-\(message)"
        case .integer(let value): return ":\(value)"
        case .bulkString(nil): return "(nil)"
        case .bulkString(let bytes?):
            let text = String(decoding: bytes.prefix(64), as: UTF8.self)
            return bytes.count > 64 ? "\"\(text)…\" (\(bytes.count) bytes)" : "\"\(text)\""
        case .array(nil): return "(nil array)"
        case .array(let elements?): return Self.render(elements, open: "[", close: "]")
        case .null: return "(null)"
        case .boolean(let value): return value ? "#t" : "#f"
        case .double(let value): return ",\(value)"
        case .map(let pairs):
            let shown = pairs.prefix(8).map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            return "{" + shown + (pairs.count > 8 ? ", … (\(pairs.count) pairs)" : "") + "}"
        case .push(let elements): return Self.render(elements, open: ">[", close: "]")
        }
    }

    private static func render(_ elements: [RESPValue], open: String, close: String) -> String {
        let shown = elements.prefix(8).map(\.description).joined(separator: ", ")
        return open + shown + (elements.count > 8 ? ", … (\(elements.count) elements)" : "") + close
    }
}
