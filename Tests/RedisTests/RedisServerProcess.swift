import Foundation
import Logging
import XCTest
@testable import Redis
#if canImport(Glibc)
import Glibc
#endif

/// A `redis-server` of the test's own on 127.0.0.1 and a free port, with persistence off
/// (`--save '' --appendonly no`). `stop()` kills it by PID; `start()` brings it back on the same
/// port.
final class RedisServerProcess: @unchecked Sendable {
    let port: Int
    private let executable: String
    private let extraArguments: [String]
    private let directory: String
    private var process: Process?

    /// Skips the calling test when redis-server is not installed (Debian: `apt-get install redis-server`).
    static func locate() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/redis-server" } + ["/usr/bin/redis-server", "/usr/sbin/redis-server"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("redis-server is not installed (scripts/setup.sh installs it)")
        }
        return found
    }

    init(extraArguments: [String] = []) throws {
        executable = try Self.locate()
        port = try Self.freePort()
        self.extraArguments = extraArguments
        directory = NSTemporaryDirectory() + "redis-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// Starts the server and waits (up to 30 s) until it accepts connections.
    func start() throws {
        precondition(process == nil, "already running")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory, "--daemonize", "no", "--enable-debug-command", "local",
        ] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(30)
        while !Self.accepts(port: port) {
            guard process.isRunning else { throw Failure("redis-server exited with status \(process.terminationStatus)") }
            guard Date() < deadline else { throw Failure("redis-server did not accept connections on \(port)") }
            usleep(20_000)
        }
    }

    /// Kills the server by PID with SIGKILL, as a crash would: no goodbye to the clients. (Not
    /// SIGTERM: Foundation's `Process` hands the child the signal mask of the thread that started
    /// it, and a test's async threads block SIGTERM, so the server would never see it.)
    func stop() {
        guard let process else { return }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A port nobody listens on right now (bind to port 0 and read the one the kernel chose).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket failed") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure("bind failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw Failure("getsockname failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

/// Shared by the tests that talk to a real server.
enum RedisTestSupport {
    static func logger() -> Logger {
        var logger = Logger(label: "redis-test")
        logger.logLevel = .error
        return logger
    }

    static func configuration(port: Int, password: String? = nil, database: Int = 0, commandTimeout: Double = 10) -> RedisConfiguration {
        RedisConfiguration(host: "127.0.0.1", port: port, password: password, database: database,
                           connectTimeout: 5, commandTimeout: commandTimeout)
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` seconds pass (generous: the
    /// machine may be busy building).
    static func waitUntil(timeout: Double = 30, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return await condition()
    }
}

/// Collects a subscription's messages in a background task (cancelled by `cancel()`).
final class MessageCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [[UInt8]] = []
    private var ended = false
    private var task: Task<Void, Never>?

    init(_ stream: AsyncStream<[UInt8]>) {
        task = Task { [self] in
            for await message in stream {
                lock.withLock { received.append(message) }
            }
            lock.withLock { ended = true }
        }
    }

    var payloads: [[UInt8]] { lock.withLock { received } }
    var messages: [String] { payloads.map { String(decoding: $0, as: UTF8.self) } }
    var finished: Bool { lock.withLock { ended } }

    func cancel() { task?.cancel() }
}

/// `XCTAssertEqual` for an awaited value: `expect(try await client.get("k"), nil)`. XCTest's own
/// assertions take autoclosures, which cannot await.
func expect<T: Equatable>(_ value: T, _ expected: T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(value, expected, message, file: file, line: line)
}
