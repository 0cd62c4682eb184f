/// Why a duration such as `--valid-for 1h30m` was refused.
public enum DurationParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case invalid(String)
    case notPositive(String)
    case tooLarge(String)

    public var description: String {
        switch self {
        case .empty: return "empty duration"
        case .invalid(let text): return "invalid duration \"\(text)\" (use e.g. 1h, 30m, 90s, 1h30m or plain seconds)"
        case .notPositive(let text): return "duration \"\(text)\" must be greater than zero"
        case .tooLarge(let text): return "duration \"\(text)\" is too large"
        }
    }
}

/// Parses durations the way `lk` users write them (a subset of Go's `time.ParseDuration`):
/// a plain number of seconds (`3600`), or one or more `<integer><unit>` parts with units
/// `d`, `h`, `m`, `s` (`1h`, `30m`, `3600s`, `1h30m`). The result is whole seconds.
public enum DurationParser {
    /// Upper bound: ten years, far beyond any sensible token lifetime, and safe from overflow.
    public static let maximumSeconds = 10 * 366 * 86_400

    public static func seconds(_ text: String) throws(DurationParseError) -> Int {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .empty }
        let bytes = Array(trimmed.utf8)
        // A bare integer is seconds.
        if bytes.allSatisfy(isDigit) {
            let value = try parseInteger(bytes[...], original: text)
            guard value > 0 else { throw .notPositive(text) }
            return value
        }
        var total = 0
        var index = 0
        while index < bytes.count {
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > start, index < bytes.count else { throw .invalid(text) }
            let number = try parseInteger(bytes[start..<index], original: text)
            let multiplier: Int
            switch bytes[index] {
            case UInt8(ascii: "d"): multiplier = 86_400
            case UInt8(ascii: "h"): multiplier = 3_600
            case UInt8(ascii: "m"): multiplier = 60
            case UInt8(ascii: "s"): multiplier = 1
            default: throw .invalid(text)
            }
            index += 1
            let (part, overflow1) = number.multipliedReportingOverflow(by: multiplier)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            guard !overflow1, !overflow2, sum <= maximumSeconds else { throw .tooLarge(text) }
            total = sum
        }
        guard total > 0 else { throw .notPositive(text) }
        return total
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func parseInteger(_ digits: ArraySlice<UInt8>, original: String) throws(DurationParseError) -> Int {
        var value = 0
        for digit in digits {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2, next <= maximumSeconds else { throw .tooLarge(original) }
            value = next
        }
        return value
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
