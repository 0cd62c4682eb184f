import Foundation
import Logging
import NIOConcurrencyHelpers

/// The egress worker child process (`sfu egress-worker`): media goes to its stdin as
/// `EgressRecord`s, it reports on stdout one JSON object per line. A crash or hang in a
/// decoder or encoder stays inside it (issue 5 item 5).
final class EgressWorkerProcess: @unchecked Sendable {
    struct Report: Decodable, Sendable {
        var event: String
        var duration: Double?
        var size: Int?
        var frames: Int?
        var message: String?
        var path: String?
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let writeQueue = DispatchQueue(label: "egress-worker-stdin")
    private let pending = NIOLockedValueBox(0)
    private let closed = NIOLockedValueBox(false)
    /// Bytes allowed in flight toward the worker before records are dropped (a stuck worker
    /// must not grow the server's memory).
    static let maxPendingBytes = 16 << 20
    private(set) var droppedRecords = NIOLockedValueBox(0)
    let logger: Logger

    init(arguments: [String], logger: Logger, onReport: @escaping @Sendable (Report) -> Void,
         onExit: @escaping @Sendable (Int32, Process.TerminationReason) -> Void) throws {
        self.logger = logger
        process.executableURL = URL(fileURLWithPath: Self.executablePath)
        process.arguments = ["egress-worker"] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        let reader = output.fileHandleForReading
        let stdin = input.fileHandleForWriting
        let closed = self.closed
        let writeQueue = self.writeQueue
        process.terminationHandler = { process in
            // A worker that exits before we close its stdin (a crash) must not leave our end open.
            if !closed.withLockedValue({ let was = $0; $0 = true; return was }) {
                writeQueue.async { try? stdin.close() }
            }
            onExit(process.terminationStatus, process.terminationReason)
        }
        try ProcessLauncher.shared.run(process)  // not `process.run()` here: see ProcessLauncher
        // The child has its own copies of its ends; ours would only hold the pipes open.
        try? input.fileHandleForReading.close()
        try? output.fileHandleForWriting.close()
        // Reports are read by one thread with blocking reads, which closes our end at end of
        // file (the worker exited). Not a `readabilityHandler`: closing a descriptor its
        // dispatch source still watched let libdispatch's event loop meet the next recording's
        // pipe under the same number, and the server crashed (SIGSEGV in
        // _dispatch_event_loop_drain, seen once in 8 sequential recordings under load).
        let thread = Thread { Self.readReports(from: reader, onReport: onReport) }
        thread.name = "egress-worker-stdout"
        thread.start()
    }

    /// One JSON report per line until end of file, then closes `handle`.
    private static func readReports(from handle: FileHandle, onReport: @Sendable (Report) -> Void) {
        var buffer = Data()
        while true {
            let data = handle.availableData
            if data.isEmpty { break }
            buffer.append(data)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer.subdata(in: buffer.startIndex..<newline)
                buffer.removeSubrange(buffer.startIndex...newline)
                if let report = try? JSONDecoder().decode(Report.self, from: line) { onReport(report) }
            }
        }
        try? handle.close()
    }

    var pid: Int32 { process.processIdentifier }

    /// Queues bytes for the worker's stdin; drops them if the worker is too far behind.
    func send(_ bytes: [UInt8]) {
        guard !closed.withLockedValue({ $0 }) else { return }
        let accepted = pending.withLockedValue { pending -> Bool in
            guard pending + bytes.count <= Self.maxPendingBytes else { return false }
            pending += bytes.count
            return true
        }
        guard accepted else {
            droppedRecords.withLockedValue { $0 += 1 }
            return
        }
        let handle = input.fileHandleForWriting
        writeQueue.async { [pending] in
            do {
                try handle.write(contentsOf: bytes)
            } catch {
                // The worker is gone; its exit is reported by the termination handler.
            }
            pending.withLockedValue { $0 -= bytes.count }
        }
    }

    /// No more input: the worker finalizes its file when it reads end-of-file.
    func closeInput() {
        guard !closed.withLockedValue({ let was = $0; $0 = true; return was }) else { return }
        let handle = input.fileHandleForWriting
        writeQueue.async { try? handle.close() }
    }

    var isRunning: Bool { process.isRunning }

    func kill() {
        if process.isRunning { process.terminate() }
    }

    /// Our own executable, to start the worker as `sfu egress-worker`.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
