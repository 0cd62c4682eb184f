import Foundation

/// File names for recordings: LiveKit's `{room_name}`, `{time}`, `{track_id}` templates in
/// `filepath`, reduced to a safe file name inside the local folder.
enum OutputNaming {
    static func fileName(template: String, egressID: String, room: String, trackID: String?, fileExtension: String?) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd'T'HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        var name = template.isEmpty ? egressID : template
        name = name.replacingOccurrences(of: "{room_name}", with: room)
            .replacingOccurrences(of: "{time}", with: formatter.string(from: Date()))
            .replacingOccurrences(of: "{track_id}", with: trackID ?? "")
            .replacingOccurrences(of: "{egress_id}", with: egressID)
        // Only a file name: no directories, nothing that climbs out of the folder.
        name = (name as NSString).lastPathComponent
        name = String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        if name.isEmpty || name.hasPrefix(".") { name = egressID + name }
        if let fileExtension, (name as NSString).pathExtension.isEmpty { name += "." + fileExtension }
        return name
    }

    static func contentType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "mp4": return "video/mp4"
        case "ogg": return "audio/ogg"
        case "webm": return "video/webm"
        default: return "application/octet-stream"
        }
    }
}
