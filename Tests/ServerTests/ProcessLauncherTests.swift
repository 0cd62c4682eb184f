import Foundation
import XCTest
@testable import Server

/// Starting a process must not leave descriptors behind on the thread that asked (the soak's
/// descriptor step, see `ProcessLauncher`).
final class ProcessLauncherTests: XCTestCase {
    private static let threads = 6

    func testProcessesStartedFromManyThreadsCostNoDescriptorsPerThread() throws {
        try ProcessLauncher.shared.run(Self.trueProcess())  // the launcher's own thread and Foundation's monitor
        let before = Self.eventDescriptors()
        let during = try Self.whileThreadsLive { try ProcessLauncher.shared.run(Self.trueProcess()) }
        XCTAssertLessThanOrEqual(during, before, "each calling thread kept descriptors")
    }

    /// What the launcher avoids, and the proof that the count above can see it: `Process.run()`
    /// called on a thread gives that thread a run loop of its own (an eventfd among its
    /// descriptors) for as long as it lives.
    func testProcessRunOnEachThreadKeepsDescriptorsPerThread() throws {
        try ProcessLauncher.shared.run(Self.trueProcess())
        let before = Self.eventDescriptors()
        let during = try Self.whileThreadsLive { try Self.trueProcess().run() }
        XCTAssertGreaterThanOrEqual(during, before + Self.threads)
    }

    func testAFailedStartThrowsToTheCaller() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/nonexistent/sfu-test-binary")
        XCTAssertThrowsError(try ProcessLauncher.shared.run(process))
    }

    private static func trueProcess() -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        return process
    }

    /// Runs `start` on `threads` new threads, counts eventfd descriptors while all of them are
    /// still alive, then lets them end.
    private static func whileThreadsLive(_ start: @escaping @Sendable () throws -> Void) throws -> Int {
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let ended = DispatchSemaphore(value: 0)
        let failures = FailureList()
        for _ in 0..<threads {
            Thread {
                do { try start() } catch { failures.add(error) }
                started.signal()
                release.wait()
                ended.signal()
            }.start()
        }
        for _ in 0..<threads { started.wait() }
        let count = eventDescriptors()
        for _ in 0..<threads { release.signal() }
        for _ in 0..<threads { ended.wait() }
        if let error = failures.first { throw error }
        return count
    }

    private static func eventDescriptors() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) == "anon_inode:[eventfd]" }.count
    }

    private final class FailureList: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var errors: [any Error] = []
        func add(_ error: any Error) { lock.lock(); errors.append(error); lock.unlock() }
        var first: (any Error)? { lock.lock(); defer { lock.unlock() }; return errors.first }
    }
}
