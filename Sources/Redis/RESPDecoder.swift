/// An incremental RESP decoder without I/O: feed it bytes as they arrive, in pieces of any size,
/// and take complete values out.
///
/// Framing follows https://redis.io/docs/latest/develop/reference/protocol-spec/: every value
/// starts with a type byte and a line ending in CRLF; a bulk string's line is its length and its
/// payload follows, then CRLF; an aggregate's line is its element count and its elements follow.
/// The decoder never scans a byte twice while waiting for a line, keeps partly received
/// aggregates on an explicit stack (no recursion, so no stack overflow on deep input) and checks
/// every announced size against `Limits` before it waits for the bytes. A malformed stream throws a
/// `RESPDecodingError` and the decoder stays failed.
public struct RESPDecoder: Sendable {
    /// Bounds on what the server may announce, checked as soon as the announcing line is read.
    public struct Limits: Sendable, Equatable {
        /// Longest bulk string payload: 512 MiB, Redis's own `proto-max-bulk-len` default.
        public var maxBulkLength = 512 << 20
        /// Most elements in one array or push, most pairs in one map: 1 Mi.
        public var maxElements = 1 << 20
        /// Deepest nesting of aggregates (a top-level array is depth 1).
        public var maxDepth = 32
        /// Longest type line without its CRLF (simple strings, errors, numbers, lengths): 64 KiB.
        public var maxLineLength = 64 << 10

        public init() {}
    }

    public let limits: Limits
    private var buffer: [UInt8] = []
    /// First byte not yet consumed.
    private var readIndex = 0
    /// Where the search for the current line's CR resumes.
    private var scanIndex = 0
    /// Aggregates whose elements are still arriving, innermost last.
    private var open: [Aggregate] = []
    private var failure: RESPDecodingError?

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Bytes received and not yet part of a returned value.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Appends bytes received from the server.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete value, or nil until more bytes arrive.
    public mutating func next() throws(RESPDecodingError) -> RESPValue? {
        if let failure { throw failure }
        do throws(RESPDecodingError) {
            while true {
                let completed: RESPValue
                switch try step() {
                case .needMore:
                    return nil
                case .value(let value):
                    completed = value
                case .open(let aggregate) where aggregate.expected == 0:
                    completed = aggregate.finish()
                case .open(let aggregate):
                    open.append(aggregate)
                    continue
                }
                if let value = attach(completed) { return value }
            }
        } catch {
            failure = error
            throw error
        }
    }

    // MARK: - One line at a time

    private struct Aggregate: Sendable {
        enum Kind: Sendable { case array, map, push }
        var kind: Kind
        /// Elements still to come in total (a map counts keys and values).
        var expected: Int
        var elements: [RESPValue] = []

        init(kind: Kind, expected: Int) {
            self.kind = kind
            self.expected = expected
            // The count is announced by the peer: reserve a little, grow as elements really arrive.
            elements.reserveCapacity(min(expected, 1_024))
        }

        func finish() -> RESPValue {
            switch kind {
            case .array: return .array(elements)
            case .push: return .push(elements)
            case .map:
                return .map(stride(from: 0, to: elements.count, by: 2).map { (key: elements[$0], value: elements[$0 + 1]) })
            }
        }
    }

    private enum Step {
        case needMore
        case value(RESPValue)
        case open(Aggregate)
    }

    /// Adds a completed value to the innermost open aggregate; every aggregate it completes is
    /// added to its parent in turn. Returns the top-level value once there is one.
    private mutating func attach(_ value: RESPValue) -> RESPValue? {
        var completed = value
        while !open.isEmpty {
            let top = open.count - 1
            open[top].elements.append(completed)
            if open[top].elements.count < open[top].expected { return nil }
            completed = open.removeLast().finish()
        }
        return completed
    }

    private mutating func step() throws(RESPDecodingError) -> Step {
        guard readIndex < buffer.count else { return .needMore }
        let type = buffer[readIndex]
        guard Self.types.contains(type) else { throw .unknownType(type) }
        guard let lineEnd = try findLineEnd() else { return .needMore }
        let content = buffer[(readIndex + 1)..<lineEnd]
        let afterLine = lineEnd + 2
        switch type {
        case UInt8(ascii: "+"):
            consume(upTo: afterLine)
            return .value(.simpleString(String(decoding: content, as: UTF8.self)))
        case UInt8(ascii: "-"):
            consume(upTo: afterLine)
            return .value(.error(String(decoding: content, as: UTF8.self)))
        case UInt8(ascii: ":"):
            guard let number = Self.integer(content, allowPlus: true) else { throw .invalidInteger(Self.text(content)) }
            consume(upTo: afterLine)
            return .value(.integer(number))
        case UInt8(ascii: "$"):
            let length = try Self.length(content, allowNull: true)
            if length < 0 {
                consume(upTo: afterLine)
                return .value(.bulkString(nil))
            }
            guard length <= limits.maxBulkLength else { throw .bulkTooLong(length: length, limit: limits.maxBulkLength) }
            let payloadEnd = afterLine + length
            // The line stays unconsumed until the payload is complete; `scanIndex` remembers its end.
            if buffer.count > payloadEnd, buffer[payloadEnd] != 13 { throw .missingTerminator }
            guard buffer.count >= payloadEnd + 2 else { return .needMore }
            guard buffer[payloadEnd + 1] == 10 else { throw .missingTerminator }
            let payload = Array(buffer[afterLine..<payloadEnd])
            consume(upTo: payloadEnd + 2)
            return .value(.bulkString(payload))
        case UInt8(ascii: "*"):
            let count = try Self.length(content, allowNull: true)
            if count < 0 {
                consume(upTo: afterLine)
                return .value(.array(nil))
            }
            return try openAggregate(.array, count: count, afterLine: afterLine)
        case UInt8(ascii: "%"):
            return try openAggregate(.map, count: Self.length(content, allowNull: false), afterLine: afterLine)
        case UInt8(ascii: ">"):
            return try openAggregate(.push, count: Self.length(content, allowNull: false), afterLine: afterLine)
        case UInt8(ascii: "_"):
            guard content.isEmpty else { throw .invalidNull }
            consume(upTo: afterLine)
            return .value(.null)
        case UInt8(ascii: "#"):
            let flag: Bool
            switch Array(content) {
            case [UInt8(ascii: "t")]: flag = true
            case [UInt8(ascii: "f")]: flag = false
            default: throw .invalidBoolean(Self.text(content))
            }
            consume(upTo: afterLine)
            return .value(.boolean(flag))
        default: // ","
            guard let number = Self.double(content) else { throw .invalidDouble(Self.text(content)) }
            consume(upTo: afterLine)
            return .value(.double(number))
        }
    }

    /// `count` is elements, or pairs for a map.
    private mutating func openAggregate(_ kind: Aggregate.Kind, count: Int, afterLine: Int) throws(RESPDecodingError) -> Step {
        guard count <= limits.maxElements else { throw .tooManyElements(count: count, limit: limits.maxElements) }
        guard open.count < limits.maxDepth else { throw .nestingTooDeep(limit: limits.maxDepth) }
        consume(upTo: afterLine)
        return .open(Aggregate(kind: kind, expected: kind == .map ? count * 2 : count))
    }

    /// The index of the CR that ends the line starting at `readIndex`, or nil until it arrives.
    private mutating func findLineEnd() throws(RESPDecodingError) -> Int? {
        var index = max(scanIndex, readIndex + 1)
        while index < buffer.count {
            let byte = buffer[index]
            if byte == 10 { throw .invalidLineEnding }
            if byte == 13 {
                guard index + 1 < buffer.count else { break }
                guard buffer[index + 1] == 10 else { throw .invalidLineEnding }
                scanIndex = index
                guard index - readIndex - 1 <= limits.maxLineLength else { throw .lineTooLong(limit: limits.maxLineLength) }
                return index
            }
            index += 1
        }
        scanIndex = index
        guard index - readIndex - 1 <= limits.maxLineLength else { throw .lineTooLong(limit: limits.maxLineLength) }
        return nil
    }

    private mutating func consume(upTo index: Int) {
        readIndex = index
        scanIndex = index
    }

    /// Drops consumed bytes before new ones are appended, when that frees enough to be worth a move.
    private mutating func compact() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else if readIndex >= 4_096, readIndex * 2 >= buffer.count {
            buffer.removeFirst(readIndex)
        } else {
            return
        }
        scanIndex -= readIndex
        readIndex = 0
    }

    // MARK: - Line contents

    private static let types: Set<UInt8> = Set("+-:$*%>_#,".utf8)

    /// A decimal integer with an optional sign, without overflow.
    static func integer(_ digits: ArraySlice<UInt8>, allowPlus: Bool) -> Int64? {
        var index = digits.startIndex
        var negative = false
        if index < digits.endIndex, digits[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        } else if allowPlus, index < digits.endIndex, digits[index] == UInt8(ascii: "+") {
            index += 1
        }
        guard index < digits.endIndex else { return nil }
        var value: Int64 = 0
        while index < digits.endIndex {
            let byte = digits[index]
            guard byte >= 48, byte <= 57 else { return nil }
            let digit = Int64(byte - 48)
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            // Negative numbers accumulate downward so that Int64.min is representable.
            let (next, overflowB) = negative
                ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowA, !overflowB else { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// A length or count: digits, or `-1` (null) where `allowNull`.
    private static func length(_ digits: ArraySlice<UInt8>, allowNull: Bool) throws(RESPDecodingError) -> Int {
        guard let value = integer(digits, allowPlus: false), value >= (allowNull ? -1 : 0)
        else { throw .invalidLength(text(digits)) }
        return Int(value)
    }

    /// RESP3 double: `[+|-]<integral>[.<fractional>][<E|e>[sign]<exponent>]`, `inf`, `-inf` or `nan`.
    private static func double(_ content: ArraySlice<UInt8>) -> Double? {
        let text = String(decoding: content, as: UTF8.self)
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default:
            guard !text.isEmpty, text.utf8.allSatisfy({ Self.doubleCharacters.contains($0) }) else { return nil }
            return Double(text)
        }
    }

    private static let doubleCharacters: Set<UInt8> = Set("0123456789+-.eE".utf8)

    /// Line content for an error message, cut to 64 bytes.
    private static func text(_ content: ArraySlice<UInt8>) -> String {
        String(decoding: content.prefix(64), as: UTF8.self)
    }
}
