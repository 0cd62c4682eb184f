/// Why a session description, attribute or candidate could not be parsed.
///
/// Every parser in this module reports bad input through this type; none of them traps.
public enum SDPParseError: Error, Equatable, Sendable {
    /// The text does not start with `v=0` (RFC 8866 §5.1).
    case missingVersion
    /// No `o=` line follows `v=` (RFC 8866 §5.2).
    case missingOrigin
    /// A line is not of the form `<type>=<value>` or is of a type not allowed where it appears.
    /// Carries the 1-based line number and the offending line.
    case badLine(Int, String)
    /// An `o=` line without the six fields of RFC 8866 §5.2.
    case badOrigin(String)
    /// An `m=` line that is not `<media> <port> <proto> <fmt> ...` (RFC 8866 §5.14).
    case badMediaLine(String)
    /// A known attribute whose value does not follow its grammar; carries the whole line.
    case badAttribute(String)
    /// An ICE candidate value that does not follow RFC 8839 §5.1.
    case badCandidate(String)
}
