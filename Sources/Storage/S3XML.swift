/// The few pieces of S3's XML this module reads and writes. Reading is a tolerant scan for a
/// named element's text; it returns nil on anything it does not understand and never traps.
package enum S3XML {
    /// Text of the first `<name>…</name>` element (no attributes), with XML entities decoded.
    package static func firstElement(_ name: String, in body: some Collection<UInt8>) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let open = text.range(of: "<\(name)>") else { return nil }
        guard let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        return unescape(text[open.upperBound..<close.lowerBound])
    }

    /// `(code, message)` of an S3 `<Error>` document, nil if the body is not one.
    package static func error(in body: some Collection<UInt8>) -> (code: String?, message: String?)? {
        let text = String(decoding: body, as: UTF8.self)
        guard text.contains("<Error>") else { return nil }
        return (firstElement("Code", in: Array(text.utf8)), firstElement("Message", in: Array(text.utf8)))
    }

    /// Decodes the five predefined entities and numeric character references (XML 1.0 §4.6, §4.1);
    /// an unknown or malformed reference is kept literally.
    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let afterAmp = rest.index(after: amp)
            guard let semicolon = rest[afterAmp...].prefix(12).firstIndex(of: ";") else {
                out += "&"
                rest = rest[afterAmp...]
                continue
            }
            let entity = rest[afterAmp..<semicolon]
            if let decoded = decodeEntity(entity) {
                out += decoded
            } else {
                out += rest[amp...semicolon]
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        out += rest
        return out
    }

    private static func decodeEntity(_ entity: Substring) -> String? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard entity.first == "#" else { return nil }
            let digits = entity.dropFirst()
            let value: UInt32?
            if digits.first == "x" || digits.first == "X" {
                value = UInt32(digits.dropFirst(), radix: 16)
            } else {
                value = UInt32(digits, radix: 10)
            }
            guard let value, let scalar = Unicode.Scalar(value) else { return nil }
            return String(Character(scalar))
        }
    }

    /// Escapes text for element content.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Body of CompleteMultipartUpload: the parts in ascending part-number order with their ETags.
    static func completeMultipartUpload(parts: [(number: Int, etag: String)]) -> String {
        var body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            body += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(escape(part.etag))</ETag></Part>"
        }
        body += "</CompleteMultipartUpload>"
        return body
    }

    /// An ETag without the surrounding double quotes S3 puts around it.
    package static func unquotedETag(_ etag: String) -> String {
        var value = Substring(etag)
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
            value = value.dropFirst().dropLast()
        }
        return String(value)
    }
}
