import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum OutboxJournalError: Error, Equatable, Sendable {
    case cannotCreateDirectory(String)
    case cannotOpen(path: String, errno: Int32)
    /// Another outbox (in this or another process) holds the directory.
    case locked(path: String)
    case readFailed(path: String, errno: Int32)
    case writeFailed(path: String, errno: Int32)
    case syncFailed(path: String, errno: Int32)
    case renameFailed(path: String, errno: Int32)
}

/// The append-only journal file `outbox.jsonl`: every append is written whole and fsync'ed before
/// it returns; compaction writes a temporary file, fsyncs it, renames it over the journal and fsyncs
/// the directory, so a crash leaves either the old or the new journal. An exclusive `flock` on
/// `outbox.lock` keeps two outboxes off one directory.
final class OutboxJournal {
    static let fileName = "outbox.jsonl"
    let directory: String
    let path: String
    private var fd: Int32
    private let lockFD: Int32
    /// Current size of the journal in bytes.
    private(set) var size: Int

    init(directory: String) throws(OutboxJournalError) {
        self.directory = directory
        path = directory + "/" + Self.fileName
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(directory)
        }
        let lockPath = directory + "/outbox.lock"
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw .cannotOpen(path: lockPath, errno: errno) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            throw .locked(path: lockPath)
        }
        let journal = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard journal >= 0 else {
            let code = errno
            close(lock)
            throw .cannotOpen(path: path, errno: code)
        }
        lockFD = lock
        fd = journal
        size = Int(lseek(journal, 0, SEEK_END))
    }

    deinit {
        close(fd)
        close(lockFD)  // releases the flock
    }

    /// The whole journal as it is on disk.
    func readAll() throws(OutboxJournalError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var offset: off_t = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .readFailed(path: path, errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            offset += off_t(n)
        }
        return bytes
    }

    /// Appends one record and fsyncs: when this returns the record survives a crash.
    func append(_ record: OutboxRecord) throws(OutboxJournalError) {
        let line = record.encodedLine()
        do {
            try Self.writeAll(fd, line, path: path)
        } catch {
            // Cut a partial line off so the next append does not run into it.
            _ = ftruncate(fd, off_t(size))
            throw error
        }
        guard fsync(fd) == 0 else { throw .syncFailed(path: path, errno: errno) }
        size += line.count
    }

    /// Atomically replaces the journal with `records` (temp file + fsync + rename + directory fsync).
    func rewrite(_ records: [OutboxRecord]) throws(OutboxJournalError) {
        let tempPath = path + ".tmp"
        // Opened for appending: after the rename this descriptor is the journal.
        let temp = open(tempPath, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard temp >= 0 else { throw .cannotOpen(path: tempPath, errno: errno) }
        var written = 0
        do throws(OutboxJournalError) {
            var buffer: [UInt8] = []
            for record in records {
                buffer.append(contentsOf: record.encodedLine())
                if buffer.count >= 256 * 1024 {
                    try Self.writeAll(temp, buffer, path: tempPath)
                    written += buffer.count
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try Self.writeAll(temp, buffer, path: tempPath)
            written += buffer.count
            guard fsync(temp) == 0 else { throw .syncFailed(path: tempPath, errno: errno) }
        } catch {
            close(temp)
            unlink(tempPath)
            throw error
        }
        guard rename(tempPath, path) == 0 else {
            let code = errno
            close(temp)
            unlink(tempPath)
            throw .renameFailed(path: path, errno: code)
        }
        // The rename is durable only once the directory entry is (fsync(2), "NOTES").
        let dir = open(directory, O_RDONLY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            close(dir)
        }
        close(fd)
        fd = temp
        size = written
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(OutboxJournalError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path: path, errno: errno)
            }
            offset += n
        }
    }
}
