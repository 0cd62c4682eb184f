/// Turns SDP text into a `SessionDescription` (RFC 8866 §5), line by line.
///
/// Accepts `\n` or `\r\n` line endings and blank lines; rejects lines that are not
/// `<letter>=<value>`, lines of a type not allowed where they appear, and known attributes
/// whose values break their grammar. Unknown attributes are kept in `otherAttributes`.
struct SDPParser {
    private var session = SessionDescription(sessionId: "0", sessionVersion: "0")
    private var current: MediaSectionBuilder?
    private var sawTiming = false
    /// A direction attribute at session level applies to every media section without its own
    /// (RFC 8866 §6.7).
    private var sessionDirection: MediaDirection?

    static func parse(_ text: String) throws(SDPParseError) -> SessionDescription {
        var parser = SDPParser()
        return try parser.run(text)
    }

    private mutating func run(_ text: String) throws(SDPParseError) -> SessionDescription {
        var state = 0  // 0: expect v=, 1: expect o=, 2: session body, 3: media body
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so split on it as well as on bare "\n" and "\r".
        let lines = text.split(omittingEmptySubsequences: false,
                               whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" })
        for rawLine in lines {
            lineNumber += 1
            var line = rawLine
            while let last = line.last, last == "\r" || last == " " || last == "\t" { line.removeLast() }
            if line.isEmpty { continue }
            let type = try Self.lineType(line, lineNumber)
            let value = String(line.dropFirst(2))
            switch state {
            case 0:
                guard type == "v", value == "0" else { throw .missingVersion }
                state = 1
            case 1:
                guard type == "o" else { throw .missingOrigin }
                try parseOrigin(value, line: String(line))
                state = 2
            default:
                if type == "m" {
                    finishMedia()
                    current = try MediaSectionBuilder(mLine: value, line: String(line))
                    state = 3
                } else if state == 2 {
                    try sessionLine(type, value, String(line), lineNumber)
                } else {
                    try mediaLine(type, value, String(line), lineNumber)
                }
            }
        }
        if state == 0 { throw .missingVersion }
        if state == 1 { throw .missingOrigin }
        finishMedia()
        if !sawTiming { session.timing = ["0 0"] }
        return session
    }

    /// Validates `<letter>=` and returns the letter (RFC 8866 §5: type is one lower-case letter).
    private static func lineType(_ line: Substring, _ number: Int) throws(SDPParseError) -> Character {
        let bytes = line.utf8
        guard bytes.count >= 2 else { throw .badLine(number, String(line)) }
        let first = bytes[bytes.startIndex]
        let second = bytes[bytes.index(after: bytes.startIndex)]
        guard first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z"), second == UInt8(ascii: "=") else {
            throw .badLine(number, String(line))
        }
        return Character(Unicode.Scalar(first))
    }

    // RFC 8866 §5.2
    private mutating func parseOrigin(_ value: String, line: String) throws(SDPParseError) {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 6 else { throw .badOrigin(line) }
        session.originUsername = String(parts[0])
        session.sessionId = String(parts[1])
        session.sessionVersion = String(parts[2])
        session.originNetType = String(parts[3])
        session.originAddressType = String(parts[4])
        session.originAddress = String(parts[5])
    }

    private mutating func sessionLine(_ type: Character, _ value: String, _ line: String,
                                      _ number: Int) throws(SDPParseError) {
        switch type {
        case "s": session.sessionName = value
        case "c": session.connection = value
        case "b": session.bandwidths.append(value)
        case "t":
            if !sawTiming { session.timing = [] }
            sawTiming = true
            session.timing.append(value)
        case "i", "u", "e", "p", "r", "z", "k": session.otherLines.append(RawLine(type: type, value: value))
        case "a": try sessionAttribute(value, line)
        default: throw .badLine(number, line)
        }
    }

    private mutating func sessionAttribute(_ text: String, _ line: String) throws(SDPParseError) {
        let (name, value) = Self.splitAttribute(text)
        switch name {
        case "group":
            let parts = try Self.required(value, line).split(separator: " ", omittingEmptySubsequences: true)
            guard let semantics = parts.first else { throw .badAttribute(line) }
            session.groups.append(Group(semantics: String(semantics), mids: parts.dropFirst().map(String.init)))
        case "ice-lite": session.iceLite = true
        case "ice-ufrag": session.iceUfrag = try Self.required(value, line)
        case "ice-pwd": session.icePwd = try Self.required(value, line)
        case "fingerprint" where session.fingerprint == nil:
            guard let fingerprint = Fingerprint.parse(try Self.required(value, line)) else { throw .badAttribute(line) }
            session.fingerprint = fingerprint
        case "setup":
            guard let setup = DTLSSetup(rawValue: try Self.required(value, line)) else { throw .badAttribute(line) }
            session.setup = setup
        case "msid-semantic":
            session.msidSemantic = String(try Self.required(value, line).drop(while: { $0 == " " }))
        default:
            if value == nil, let direction = MediaDirection(rawValue: name) { sessionDirection = direction }
            session.otherAttributes.append(Attribute(name: name, value: value))
        }
    }

    private mutating func mediaLine(_ type: Character, _ value: String, _ line: String,
                                    _ number: Int) throws(SDPParseError) {
        guard current != nil else { throw .badLine(number, line) }
        switch type {
        case "c": current!.media.connection = value
        case "b": current!.media.bandwidths.append(value)
        case "i", "k": current!.media.otherLines.append(RawLine(type: type, value: value))
        case "a":
            let (name, attributeValue) = Self.splitAttribute(value)
            try current!.attribute(name, attributeValue, line)
        default: throw .badLine(number, line)
        }
    }

    private mutating func finishMedia() {
        guard let builder = current else { return }
        var media = builder.finish()
        if !builder.sawDirection, let sessionDirection { media.direction = sessionDirection }
        session.media.append(media)
        current = nil
    }

    /// Splits `name:value` at the first colon (RFC 8866 §5.13).
    static func splitAttribute(_ text: String) -> (String, String?) {
        guard let colon = text.firstIndex(of: ":") else { return (text, nil) }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    static func required(_ value: String?, _ line: String) throws(SDPParseError) -> String {
        guard let value, !value.isEmpty else { throw .badAttribute(line) }
        return value
    }
}

extension SessionDescription {
    /// Parses SDP text; tolerant of `\n` or `\r\n`, rejects malformed input with a typed error.
    public static func parse(_ text: String) throws(SDPParseError) -> SessionDescription {
        try SDPParser.parse(text)
    }
}
