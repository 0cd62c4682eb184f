import Foundation

/// Read-only access to the local recording being uploaded: its size and byte ranges of it.
/// It never deletes or modifies the file.
struct LocalFile {
    let path: String
    let size: Int

    init(path: String) throws(StorageError) {
        self.path = path
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw .file("cannot read \(path): \(error.localizedDescription)")
        }
        if let type = attributes[.type] as? FileAttributeType, type == .typeDirectory {
            throw .file("\(path) is a directory")
        }
        guard let size = (attributes[.size] as? NSNumber)?.intValue else { throw .file("no size for \(path)") }
        self.size = size
    }

    /// Exactly `length` bytes at `offset`; a short read (the file shrank) is an error.
    func read(offset: Int, length: Int) throws(StorageError) -> Data {
        guard offset >= 0, length >= 0 else { throw .file("bad range \(offset)+\(length) of \(path)") }
        if length == 0 { return Data() }
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw StorageError.file("cannot open \(path)") }
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: length) ?? Data()
            guard data.count == length else {
                throw StorageError.file("\(path) shrank: wanted \(length) bytes at \(offset), got \(data.count)")
            }
            return data
        } catch let error as StorageError {
            throw error
        } catch {
            throw .file("cannot read \(path): \(error.localizedDescription)")
        }
    }
}
