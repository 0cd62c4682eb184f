/// An `a=<name>[:<value>]` line this module does not model, preserved as written (RFC 8866 §5.13).
public struct Attribute: Sendable, Equatable {
    public var name: String
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    public var sdpLine: String {
        if let value { return "a=\(name):\(value)" }
        return "a=\(name)"
    }
}

/// A session-level grouping `a=group:<semantics> <mid> ...` (RFC 5888 §5), e.g. `BUNDLE` (RFC 8843).
public struct Group: Sendable, Equatable {
    public var semantics: String
    public var mids: [String]

    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }

    public var sdpValue: String { ([semantics] + mids).joined(separator: " ") }
}

/// A line of a type this module does not model (`i=`, `u=`, `e=`, `p=`, `r=`, `z=`, `k=`),
/// kept so it survives a parse/serialize round trip.
public struct RawLine: Sendable, Equatable {
    /// The single-letter type.
    public var type: Character
    public var value: String

    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }
}
