import Egress
import Foundation

/// A recording's name from LiveKit's `filepath` template, as LiveKit egress expands it:
/// `{room_name}`, `{room_id}`, `{time}` (`2006-01-02T150405`), `{utc}` (`20060102150405` and
/// three digits of milliseconds), plus for a track egress `{track_id}`, `{track_type}`
/// (`audio`/`video`), `{track_source}` (`camera`, `microphone`, `screen_share`, …) and
/// `{publisher_identity}`; `{egress_id}` is ours. A variable that does not apply to the egress
/// (a track variable in a room composite) stays as written, as in LiveKit.
/// An empty filepath, or one ending in `/`, gets LiveKit's default name: `<room name>-<time>`
/// for a room composite, `<track id>-<time>` for a track. Times are UTC.
struct OutputNaming: Equatable {
    struct Track: Equatable {
        var id: String
        /// `audio` or `video`.
        var type: String
        /// LiveKit's `TrackSource` name in lower case.
        var source: String
        var publisherIdentity: String
    }

    var egressID: String
    var roomName: String
    var roomID: String
    var track: Track?
    var time: Date

    /// `{time}`: Go's layout `2006-01-02T150405`.
    var timeText: String {
        let c = Self.utcFields(time)
        return String(format: "%04ld-%02ld-%02ldT%02ld%02ld%02ld", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// `{utc}`: `20060102150405` followed by the milliseconds, three digits.
    var utcText: String {
        let c = Self.utcFields(time)
        let milliseconds = Int((time.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        return String(format: "%04ld%02ld%02ld%02ld%02ld%02ld%03ld", c.year, c.month, c.day, c.hour, c.minute, c.second,
                      milliseconds)
    }

    /// The variables this egress knows.
    var variables: [String: String] {
        var values = ["room_name": roomName, "room_id": roomID, "time": timeText, "utc": utcText, "egress_id": egressID]
        if let track {
            values["track_id"] = track.id
            values["track_type"] = track.type
            values["track_source"] = track.source
            values["publisher_identity"] = track.publisherIdentity
        }
        return values
    }

    /// One left-to-right pass: a value that itself looks like `{time}` is not expanded again.
    func expand(_ template: String) -> String {
        let values = variables
        var output = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"), let value = values[String(rest[afterOpen..<close])] {
                output += value
                rest = rest[rest.index(after: close)...]
            } else {
                output += "{"
                rest = rest[afterOpen...]
            }
        }
        return output + rest
    }

    /// LiveKit's generated name for an empty filepath or a folder.
    var defaultFileName: String { "\(track?.id ?? roomName)-\(timeText)" }

    /// The validated relative path for `template`; `fileExtension` (without the dot) is
    /// enforced when known (a track egress whose codec is not known yet leaves it to the worker).
    func path(for template: String, fileExtension: String?) throws(RecordingPathError) -> RecordingPath {
        var text = expand(template)
        if text.isEmpty || text.hasSuffix("/") { text += defaultFileName }
        let path = try RecordingPath(validating: text)
        guard let fileExtension else { return path }
        return try path.renamingFile(Self.fileName(path.fileName, withExtension: fileExtension))
    }

    // MARK: extensions and content types

    /// Extensions LiveKit recognises as a container's and replaces when another is produced.
    static let knownExtensions: Set<String> = ["mp4", "ogg", "webm", "ts", "m3u8", "mp3", "ivf", "h264", "jpeg", "jpg", "raw"]

    /// `acc` → `acc.mp4`; `acc.ogg` → `acc.mp4` (a known container extension is replaced);
    /// `acc.v2` → `acc.v2.mp4`; `acc.MP4` stays.
    static func fileName(_ name: String, withExtension fileExtension: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name + "." + fileExtension }
        let current = name[name.index(after: dot)...].lowercased()
        if current == fileExtension.lowercased() { return name }
        if knownExtensions.contains(current) { return name[..<dot] + "." + fileExtension }
        return name + "." + fileExtension
    }

    /// The container a track egress writes for its codec: Opus → Ogg, VP8/VP9/AV1 → WebM, H.264 → MP4.
    static func fileExtension(for codec: MediaCodec) -> String {
        switch codec {
        case .opus: return "ogg"
        case .vp8, .vp9, .av1: return "webm"
        case .h264: return "mp4"
        }
    }

    static func contentType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "mp4": return "video/mp4"
        case "ogg": return "audio/ogg"
        case "webm": return "video/webm"
        default: return "application/octet-stream"
        }
    }

    private static func utcFields(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return (c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
