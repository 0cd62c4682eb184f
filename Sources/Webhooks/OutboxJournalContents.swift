/// The records recovered from a journal file, and what had to be skipped.
struct OutboxJournalContents: Equatable, Sendable {
    var records: [OutboxRecord] = []
    /// A last line without its newline: the process died mid-append. Ignored.
    var tornTail = false
    /// Complete lines that did not parse (corruption other than a torn tail). Skipped.
    var skippedLines = 0

    /// Splits the journal into lines and parses each. Never throws: a torn last line (no trailing
    /// newline) is dropped, a bad complete line is counted and skipped.
    static func parse(_ bytes: [UInt8], configuredURLs: [String]) -> OutboxJournalContents {
        var contents = OutboxJournalContents()
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                contents.tornTail = true
                break
            }
            let line = bytes[start..<newline]
            start = newline + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            do {
                contents.records.append(try OutboxRecord.parse(line: line, configuredURLs: configuredURLs))
            } catch {
                contents.skippedLines += 1
            }
        }
        return contents
    }
}
