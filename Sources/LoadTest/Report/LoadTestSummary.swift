import Foundation
/// The figures of one run, built from per-participant and per-track observations; renders
/// the `--json` object and the final table.
public struct LoadTestSummary: Sendable, Equatable {
    public var participants: Int
    public var participantsJoined: Int
    public var joinFailures: Int
    public var joinMilliseconds: [Double]
    public var firstMediaMilliseconds: [Double]
    public var tracksExpected: Int
    public var tracksSubscribed: Int
    public var packetsExpected: UInt64
    public var packetsReceived: UInt64
    public var packetsLost: UInt64
    public var jitterMilliseconds: [Double]
    public var packetsSent: UInt64
    public var bytesSent: UInt64
    public var bytesReceived: UInt64
    public var retransmissionsSent: UInt64
    public var keyframeRequests: UInt64
    /// Datagrams the kernel would not take (full socket buffer, unreachable port).
    public var sendErrors: UInt64 = 0
    /// Seconds media flowed after the last join started.
    public var durationSeconds: Double
    /// Seconds from start to the end of measurement.
    public var elapsedSeconds: Double
    /// CPU seconds (user + system) the tester used, and that as a share of one core.
    public var testerCPUSeconds: Double
    /// CPU seconds used while media flowed (after the ramp): what holding the participants costs.
    public var testerMediaCPUSeconds: Double = 0
    /// First few failure reasons, for the report.
    public var failures: [String]

    public init(participants: Int = 0, participantsJoined: Int = 0, joinFailures: Int = 0, joinMilliseconds: [Double] = [],
                firstMediaMilliseconds: [Double] = [], tracksExpected: Int = 0, tracksSubscribed: Int = 0,
                packetsExpected: UInt64 = 0, packetsReceived: UInt64 = 0, packetsLost: UInt64 = 0,
                jitterMilliseconds: [Double] = [], packetsSent: UInt64 = 0, bytesSent: UInt64 = 0, bytesReceived: UInt64 = 0,
                retransmissionsSent: UInt64 = 0, keyframeRequests: UInt64 = 0, durationSeconds: Double = 0,
                elapsedSeconds: Double = 0, testerCPUSeconds: Double = 0, failures: [String] = []) {
        self.participants = participants
        self.participantsJoined = participantsJoined
        self.joinFailures = joinFailures
        self.joinMilliseconds = joinMilliseconds
        self.firstMediaMilliseconds = firstMediaMilliseconds
        self.tracksExpected = tracksExpected
        self.tracksSubscribed = tracksSubscribed
        self.packetsExpected = packetsExpected
        self.packetsReceived = packetsReceived
        self.packetsLost = packetsLost
        self.jitterMilliseconds = jitterMilliseconds
        self.packetsSent = packetsSent
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.retransmissionsSent = retransmissionsSent
        self.keyframeRequests = keyframeRequests
        self.durationSeconds = durationSeconds
        self.elapsedSeconds = elapsedSeconds
        self.testerCPUSeconds = testerCPUSeconds
        self.failures = failures
    }

    /// Lost over expected, in percent (sequence gaps, RFC 3550 A.3); 0 with nothing expected.
    public var lossPercent: Double {
        packetsExpected > 0 ? Double(packetsLost) / Double(packetsExpected) * 100 : 0
    }

    public var testerCPUPercent: Double { elapsedSeconds > 0 ? testerCPUSeconds / elapsedSeconds * 100 : 0 }
    /// Share of one core the tester used while media flowed.
    public var testerMediaCPUPercent: Double { durationSeconds > 0 ? testerMediaCPUSeconds / durationSeconds * 100 : 0 }

    /// The `--json` object: the documented keys first, in order, then extras.
    public func json() -> String {
        var object = OrderedJSONObject()
        object.add("participants", participants)
        object.add("join_ms_p50", Percentiles.value(50, of: joinMilliseconds))
        object.add("join_ms_p99", Percentiles.value(99, of: joinMilliseconds))
        object.add("first_media_ms_p50", Percentiles.value(50, of: firstMediaMilliseconds))
        object.add("tracks_subscribed", tracksSubscribed)
        object.add("packets_expected", packetsExpected)
        object.add("packets_received", packetsReceived)
        object.add("loss_percent", lossPercent)
        object.add("jitter_ms_p99", Percentiles.value(99, of: jitterMilliseconds))
        object.add("duration_s", durationSeconds)
        object.add("participants_joined", participantsJoined)
        object.add("join_failures", joinFailures)
        object.add("tracks_expected", tracksExpected)
        object.add("first_media_ms_p99", Percentiles.value(99, of: firstMediaMilliseconds))
        object.add("jitter_ms_p50", Percentiles.value(50, of: jitterMilliseconds))
        object.add("packets_lost", packetsLost)
        object.add("packets_sent", packetsSent)
        object.add("bytes_sent", bytesSent)
        object.add("bytes_received", bytesReceived)
        object.add("retransmissions_sent", retransmissionsSent)
        object.add("keyframe_requests", keyframeRequests)
        object.add("send_errors", sendErrors)
        object.add("elapsed_s", elapsedSeconds)
        object.add("tester_cpu_s", testerCPUSeconds)
        object.add("tester_cpu_percent", testerCPUPercent)
        object.add("tester_media_cpu_percent", testerMediaCPUPercent)
        object.add("failures", failures)
        return object.render()
    }

    /// The human-readable table printed at the end of a run.
    public func table() -> String {
        func ms(_ value: Double?) -> String { value.map { String(format1: $0) + " ms" } ?? "-" }
        let seconds = max(durationSeconds, 1e-9)
        var rows: [(String, String)] = [
            ("participants", "\(participantsJoined) joined of \(participants)" + (joinFailures > 0 ? " (\(joinFailures) failed)" : "")),
            ("join time p50 / p99", "\(ms(Percentiles.value(50, of: joinMilliseconds))) / \(ms(Percentiles.value(99, of: joinMilliseconds)))"),
            ("first media p50 / p99", "\(ms(Percentiles.value(50, of: firstMediaMilliseconds))) / \(ms(Percentiles.value(99, of: firstMediaMilliseconds)))"),
            ("tracks subscribed", "\(tracksSubscribed) of \(tracksExpected)"),
            ("packets received / expected", "\(packetsReceived) / \(packetsExpected)"),
            ("loss", String(format3: lossPercent) + " %"),
            ("jitter p50 / p99", "\(ms(Percentiles.value(50, of: jitterMilliseconds))) / \(ms(Percentiles.value(99, of: jitterMilliseconds)))"),
            ("packets sent", "\(packetsSent) (\(Int(Double(packetsSent) / seconds)) /s)"),
            ("bitrate out / in", "\(String(format1: Double(bytesSent) * 8 / seconds / 1e6)) / \(String(format1: Double(bytesReceived) * 8 / seconds / 1e6)) Mbit/s"),
            ("NACKed packets resent", "\(retransmissionsSent)"),
            ("keyframe requests", "\(keyframeRequests)"),
            ("datagrams refused by the kernel", "\(sendErrors)"),
            ("duration", "\(String(format1: durationSeconds)) s of media (\(String(format1: elapsedSeconds)) s in all)"),
            ("tester CPU", "\(String(format1: testerCPUSeconds)) s (\(String(format1: testerCPUPercent)) % of one core; "
                + "\(String(format1: testerMediaCPUPercent)) % while media flowed)"),
        ]
        for (index, failure) in failures.enumerated() { rows.append((index == 0 ? "failures" : "", failure)) }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(to: width) + "  " + $0.1 }.joined(separator: "\n")
    }
}

/// A JSON object with keys in insertion order (JSONSerialization sorts or scrambles them).
struct OrderedJSONObject {
    private var members: [String] = []

    mutating func add(_ key: String, _ value: Int) { members.append("\(Self.quote(key)): \(value)") }
    mutating func add(_ key: String, _ value: UInt64) { members.append("\(Self.quote(key)): \(value)") }
    mutating func add(_ key: String, _ value: Double?) {
        guard let value, value.isFinite else { return members.append("\(Self.quote(key)): null") }
        members.append("\(Self.quote(key)): \(String(format3: value))")
    }
    mutating func add(_ key: String, _ value: [String]) {
        members.append("\(Self.quote(key)): [\(value.map(Self.quote).joined(separator: ", "))]")
    }

    func render() -> String { "{" + members.joined(separator: ", ") + "}" }

    /// A JSON string literal (RFC 8259 §7), escaped by Foundation's encoder.
    static func quote(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(text) else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    /// Fixed-point with one decimal, without Foundation's locale-dependent formatting.
    init(format1 value: Double) { self = Self.fixed(value, digits: 1) }
    /// Fixed-point with three decimals.
    init(format3 value: Double) { self = Self.fixed(value, digits: 3) }

    private static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        let fractionText = String(fraction)
        let padded = String(repeating: "0", count: Swift.max(0, digits - fractionText.count)) + fractionText
        return (value < 0 && scaled > 0 ? "-" : "") + "\(whole).\(padded)"
    }

    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
