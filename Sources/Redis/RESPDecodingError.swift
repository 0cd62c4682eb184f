/// Why bytes from the server are not valid RESP. Once a decoder has thrown one it stays failed: the
/// stream has lost its framing and the connection must be closed.
public enum RESPDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The first byte of a value names no type this decoder knows.
    case unknownType(UInt8)
    /// A `:` line that is not a signed 64-bit decimal integer.
    case invalidInteger(String)
    /// A `$`, `*`, `%` or `>` length that is not a decimal number, or negative where null is not allowed.
    case invalidLength(String)
    /// A `,` line that is not a decimal number, `inf`, `-inf` or `nan`.
    case invalidDouble(String)
    /// A `#` line other than `t` or `f`.
    case invalidBoolean(String)
    /// A `_` line with content.
    case invalidNull
    /// A line holding a bare CR or LF (RESP lines end with CRLF and never contain either alone).
    case invalidLineEnding
    /// The bytes after a bulk string's payload are not CRLF.
    case missingTerminator
    /// A type line (`+`, `-`, `:`, a length…) longer than the limit without a CRLF.
    case lineTooLong(limit: Int)
    /// A bulk string announced longer than the limit.
    case bulkTooLong(length: Int, limit: Int)
    /// An array, map or push announced with more elements (pairs for a map) than the limit.
    case tooManyElements(count: Int, limit: Int)
    /// Aggregates nested deeper than the limit.
    case nestingTooDeep(limit: Int)

    public var description: String {
        switch self {
        case .unknownType(let byte): return "RESP: unknown type byte 0x\(String(byte, radix: 16))"
        case .invalidInteger(let text): return "RESP: invalid integer \"\(text)\""
        case .invalidLength(let text): return "RESP: invalid length \"\(text)\""
        case .invalidDouble(let text): return "RESP: invalid double \"\(text)\""
        case .invalidBoolean(let text): return "RESP: invalid boolean \"\(text)\""
        case .invalidNull: return "RESP: null with content"
        case .invalidLineEnding: return "RESP: bare CR or LF in a line"
        case .missingTerminator: return "RESP: bulk string not followed by CRLF"
        case .lineTooLong(let limit): return "RESP: line longer than \(limit) bytes"
        case .bulkTooLong(let length, let limit): return "RESP: bulk string of \(length) bytes exceeds \(limit)"
        case .tooManyElements(let count, let limit): return "RESP: aggregate of \(count) elements exceeds \(limit)"
        case .nestingTooDeep(let limit): return "RESP: aggregates nested deeper than \(limit)"
        }
    }
}
