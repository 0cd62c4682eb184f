import Foundation

/// The live progress line on stderr: participants joined, packets per second out and in, and
/// the loss so far. On a terminal it rewrites itself; otherwise it prints a line every few seconds.
struct ProgressLine {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var last: (time: Double, sent: UInt64, received: UInt64)?
    private var lastPrinted = -Double.infinity

    struct Sample {
        var time: Double
        var joined: Int
        var failed: Int
        var total: Int
        var packetsSent: UInt64
        var packetsReceived: UInt64
        var packetsExpected: UInt64
        var packetsLost: UInt64
    }

    mutating func update(_ sample: Sample) {
        defer { last = (sample.time, sample.packetsSent, sample.packetsReceived) }
        guard let last, sample.time > last.time else { return }
        let seconds = sample.time - last.time
        let outRate = Double(sample.packetsSent &- last.sent) / seconds
        let inRate = Double(sample.packetsReceived &- last.received) / seconds
        let loss = sample.packetsExpected > 0 ? Double(sample.packetsLost) / Double(sample.packetsExpected) * 100 : 0
        var text = "joined \(sample.joined)/\(sample.total)"
        if sample.failed > 0 { text += " (\(sample.failed) failed)" }
        text += "  out \(Int(outRate)) pkt/s  in \(Int(inRate)) pkt/s  loss \(String(format3: loss)) %"
        if isTerminal {
            write("\r\u{1B}[2K" + text)
        } else if sample.time - lastPrinted >= 5 {
            lastPrinted = sample.time
            write(text + "\n")
        }
    }

    func finish() {
        if isTerminal { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
