/// Where a recording lives, relative to the storage root: the S3 object key, and the same
/// relative path under `storage.local_dir`. Built only through `init(validating:)`, so a value
/// never climbs out of the root and always fits both a Linux file system and an S3 key.
struct RecordingPath: Equatable, CustomStringConvertible {
    /// NAME_MAX on Linux file systems (ext4, xfs, tmpfs).
    static let maxComponentBytes = 255
    /// The S3 object key limit (1,024 bytes of UTF-8); it keeps the local path far below PATH_MAX.
    static let maxBytes = 1024

    /// Non-empty path components, without `.` and without empty ones.
    let components: [String]

    /// Normalises `a//b/./c` to `a/b/c` (as LiveKit cleans a filepath) and refuses what cannot be
    /// a relative file path: absolute paths, `..`, control characters, over-long names.
    init(validating text: String) throws(RecordingPathError) {
        try Self.refuseEscapes(text)
        let components = Self.components(of: text)
        guard !components.isEmpty else { throw .empty }
        if let long = components.first(where: { $0.utf8.count > Self.maxComponentBytes }) {
            throw .componentTooLong(prefix: String(long.prefix(40)), bytes: long.utf8.count)
        }
        let bytes = components.joined(separator: "/").utf8.count
        if bytes > Self.maxBytes { throw .tooLong(bytes: bytes) }
        self.components = components
    }

    /// The checks that do not depend on the length of expanded variables, so a template can be
    /// refused before the room is looked up: absolute, `..`, control characters.
    static func refuseEscapes(_ text: String) throws(RecordingPathError) {
        if text.hasPrefix("/") { throw .absolute }
        if let bad = text.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw .controlCharacter(bad.value)
        }
        if components(of: text).contains("..") { throw .climbsOut }
    }

    private static func components(of text: String) -> [String] {
        text.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    }

    /// `calls/room/2024-05-01T101500.mp4`
    var description: String { components.joined(separator: "/") }

    /// The last component: the file's own name.
    var fileName: String { components[components.count - 1] }

    /// The folder part (`calls/room`), empty for a file at the root.
    var folder: String { components.dropLast().joined(separator: "/") }

    /// The same path with its file name replaced (validated again: the name may grow).
    func renamingFile(_ name: String) throws(RecordingPathError) -> RecordingPath {
        try RecordingPath(validating: (components.dropLast() + [name]).joined(separator: "/"))
    }

    /// The local file under `root` (a folder path, with or without a trailing slash).
    func local(under root: String) -> String { Self.folderPrefix(root) + description }

    /// The relative path of `localPath` if it lies under `root`, else nil.
    static func relative(_ localPath: String, under root: String) -> RecordingPath? {
        let prefix = folderPrefix(root)
        guard localPath.hasPrefix(prefix) else { return nil }
        return try? RecordingPath(validating: String(localPath.dropFirst(prefix.count)))
    }

    private static func folderPrefix(_ root: String) -> String {
        root.isEmpty || root.hasSuffix("/") ? root : root + "/"
    }
}

/// Why a filepath was refused (a Twirp `invalid_argument` at Start*Egress).
enum RecordingPathError: Error, Equatable, CustomStringConvertible {
    case absolute
    case climbsOut
    case empty
    case controlCharacter(UInt32)
    case componentTooLong(prefix: String, bytes: Int)
    case tooLong(bytes: Int)

    var description: String {
        switch self {
        case .absolute:
            return "it is absolute; give a path relative to the storage root (e.g. calls/{room_name}/{time}.mp4)"
        case .climbsOut:
            return "a `..` component would leave the storage root"
        case .empty:
            return "it names no file"
        case .controlCharacter(let value):
            return "it contains the control character U+\(String(value, radix: 16, uppercase: true))"
        case .componentTooLong(let prefix, let bytes):
            return "the name \"\(prefix)…\" is \(bytes) bytes; at most \(RecordingPath.maxComponentBytes) per path component"
        case .tooLong(let bytes):
            return "it is \(bytes) bytes; at most \(RecordingPath.maxBytes) (the S3 key limit)"
        }
    }
}
