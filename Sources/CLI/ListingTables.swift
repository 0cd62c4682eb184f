import Foundation
import Signal

/// Human-readable tables for the list commands.
public enum ListingTables {
    public static func rooms(_ rooms: [Livekit_Room]) -> TextTable {
        TextTable(
            headers: ["NAME", "SID", "PARTICIPANTS", "CREATED"],
            rows: rooms.map { room in
                let millis = room.creationTimeMs != 0 ? room.creationTimeMs : room.creationTime * 1000
                return [room.name, room.sid, String(room.numParticipants), timestamp(millis: millis)]
            }
        )
    }

    public static func participants(_ participants: [Livekit_ParticipantInfo]) -> TextTable {
        TextTable(
            headers: ["IDENTITY", "SID", "NAME", "STATE", "TRACKS", "JOINED"],
            rows: participants.map { p in
                let millis = p.joinedAtMs != 0 ? p.joinedAtMs : p.joinedAt * 1000
                return [p.identity, p.sid, p.name, stateName(p.state), String(p.tracks.count), timestamp(millis: millis)]
            }
        )
    }

    public static func dispatches(_ dispatches: [Livekit_AgentDispatch]) -> TextTable {
        TextTable(
            headers: ["ID", "AGENT", "ROOM", "JOBS", "METADATA"],
            rows: dispatches.map { d in
                [d.id, d.agentName, d.room, String(d.state.jobs.count), d.metadata]
            }
        )
    }

    /// `2024-05-01 12:00:00` in UTC, or `-` for an unset time.
    static func timestamp(millis: Int64) -> String {
        guard millis > 0 else { return "-" }
        let date = Date(timeIntervalSince1970: TimeInterval(millis) / 1000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    static func stateName(_ state: Livekit_ParticipantInfo.State) -> String {
        switch state {
        case .joining: return "JOINING"
        case .joined: return "JOINED"
        case .active: return "ACTIVE"
        case .disconnected: return "DISCONNECTED"
        case .UNRECOGNIZED(let raw): return "STATE_\(raw)"
        }
    }
}
