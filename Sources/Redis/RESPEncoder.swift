/// Writes RESP bytes.
///
/// A client sends every command as an array of bulk strings ("Sending commands to a Redis server"
/// in https://redis.io/docs/latest/develop/reference/protocol-spec/), so `appendCommand` is all the
/// client needs; `append(_:to:)` writes any value (tests, fixtures) in the same wire format the
/// decoder reads.
public enum RESPEncoder {
    private static let crlf: [UInt8] = [13, 10]

    /// `*<n>\r\n` followed by `$<len>\r\n<bytes>\r\n` for each argument.
    public static func appendCommand(_ arguments: [[UInt8]], to out: inout [UInt8]) {
        out.reserveCapacity(out.count + arguments.reduce(16) { $0 + $1.count + 16 })
        appendHeader(UInt8(ascii: "*"), arguments.count, to: &out)
        for argument in arguments {
            appendHeader(UInt8(ascii: "$"), argument.count, to: &out)
            out.append(contentsOf: argument)
            out.append(contentsOf: crlf)
        }
    }

    /// The bytes of one command.
    public static func command(_ arguments: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        appendCommand(arguments, to: &out)
        return out
    }

    /// Any value in RESP wire format (RESP3 types in RESP3 syntax). Simple strings and errors are
    /// written as given: the caller keeps CR and LF out of them.
    public static func append(_ value: RESPValue, to out: inout [UInt8]) {
        switch value {
        case .simpleString(let string):
            appendLine(UInt8(ascii: "+"), Array(string.utf8), to: &out)
        case .error(let message):
            appendLine(UInt8(ascii: "-"), Array(message.utf8), to: &out)
        case .integer(let number):
            appendLine(UInt8(ascii: ":"), Array(String(number).utf8), to: &out)
        case .bulkString(nil):
            appendHeader(UInt8(ascii: "$"), -1, to: &out)
        case .bulkString(let bytes?):
            appendHeader(UInt8(ascii: "$"), bytes.count, to: &out)
            out.append(contentsOf: bytes)
            out.append(contentsOf: crlf)
        case .array(nil):
            appendHeader(UInt8(ascii: "*"), -1, to: &out)
        case .array(let elements?):
            appendHeader(UInt8(ascii: "*"), elements.count, to: &out)
            for element in elements { append(element, to: &out) }
        case .null:
            appendLine(UInt8(ascii: "_"), [], to: &out)
        case .boolean(let flag):
            appendLine(UInt8(ascii: "#"), [flag ? UInt8(ascii: "t") : UInt8(ascii: "f")], to: &out)
        case .double(let number):
            appendLine(UInt8(ascii: ","), Array(doubleText(number).utf8), to: &out)
        case .map(let pairs):
            appendHeader(UInt8(ascii: "%"), pairs.count, to: &out)
            for pair in pairs {
                append(pair.key, to: &out)
                append(pair.value, to: &out)
            }
        case .push(let elements):
            appendHeader(UInt8(ascii: ">"), elements.count, to: &out)
            for element in elements { append(element, to: &out) }
        }
    }

    /// The bytes of one value.
    public static func encode(_ value: RESPValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    private static func appendHeader(_ type: UInt8, _ count: Int, to out: inout [UInt8]) {
        appendLine(type, Array(String(count).utf8), to: &out)
    }

    private static func appendLine(_ type: UInt8, _ content: [UInt8], to out: inout [UInt8]) {
        out.append(type)
        out.append(contentsOf: content)
        out.append(contentsOf: crlf)
    }

    /// RESP3 spells the special doubles `inf`, `-inf` and `nan`.
    private static func doubleText(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        return "\(number)"
    }
}
