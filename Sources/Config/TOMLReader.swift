import TOMLKit

/// Typed, strict access to a TOML document: every value read is checked for type and range,
/// and keys nobody asked for are reported with their full dotted name.
struct TOMLReader {
    let root: TOMLTable
    private var seenSections: Set<String> = []

    init(root: TOMLTable) { self.root = root }

    struct Section {
        let name: String
        let table: TOMLTable
        var keys: [String] { table.keys }

        func string(_ key: String) throws(ConfigError) -> String? {
            guard let value = table[key] else { return nil }
            guard let s = value.string else { throw wrongType(key, "a string") }
            return s
        }

        func int(_ key: String, range: ClosedRange<Int>) throws(ConfigError) -> Int? {
            guard let value = table[key] else { return nil }
            guard let v = value.int else { throw wrongType(key, "an integer") }
            guard range.contains(v) else {
                throw ConfigError(key: "\(name).\(key)", message: "\(v) is out of range \(range.lowerBound)...\(range.upperBound)")
            }
            return v
        }

        func double(_ key: String, range: ClosedRange<Double>) throws(ConfigError) -> Double? {
            guard let value = table[key] else { return nil }
            guard let v = value.double ?? value.int.map(Double.init) else { throw wrongType(key, "a number") }
            guard range.contains(v) else {
                throw ConfigError(key: "\(name).\(key)", message: "\(v) is out of range \(range.lowerBound)...\(range.upperBound)")
            }
            return v
        }

        func bool(_ key: String) throws(ConfigError) -> Bool? {
            guard let value = table[key] else { return nil }
            guard let v = value.bool else { throw wrongType(key, "true or false") }
            return v
        }

        func stringArray(_ key: String) throws(ConfigError) -> [String]? {
            guard let value = table[key] else { return nil }
            guard let array = value.array else { throw wrongType(key, "an array of strings") }
            var out: [String] = []
            for element in array {
                guard let s = element.string else { throw wrongType(key, "an array of strings") }
                out.append(s)
            }
            return out
        }

        private func wrongType(_ key: String, _ expected: String) -> ConfigError {
            ConfigError(key: "\(name).\(key)", message: "must be \(expected)")
        }
    }

    /// Visits `[name]` if present. `allowed` nil means any key is allowed (maps such as `[keys]`).
    mutating func section(_ name: String, allowed: Set<String>?, _ body: (Section) throws(ConfigError) -> Void) throws(ConfigError) {
        seenSections.insert(name)
        guard let value = root[name] else { return }
        guard let table = value.table else {
            throw ConfigError(key: name, message: "must be a table ([\(name)])")
        }
        if let allowed {
            for key in table.keys where !allowed.contains(key) {
                throw ConfigError(key: "\(name).\(key)", message: "unknown key (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
        try body(Section(name: name, table: table))
    }

    func rejectUnknownSections() throws(ConfigError) {
        for key in root.keys where !seenSections.contains(key) {
            throw ConfigError(key: key, message: "unknown section or key")
        }
    }
}
