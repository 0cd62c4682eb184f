import Foundation
import Signal

/// Turns a Start*Egress `filepath` into the recording's `RecordingPath`, with the room's and
/// track's values for the template. Everything that makes the path unusable is refused here,
/// as `invalid_argument`, before a worker starts.
struct EgressOutputResolver {
    let service: LiveKitService

    struct Resolved {
        var path: RecordingPath
        var roomID: String
    }

    /// `fileExtension`: the container of a room composite; nil for a track egress, whose
    /// container follows the track's codec.
    func resolve(filepath: String, room: String, trackID: String?, egressID: String, fileExtension: String?,
                 now: Date = Date()) async throws -> Resolved {
        // Refused before anything is looked up: an absolute or climbing template never names a file.
        do { try RecordingPath.refuseEscapes(filepath) } catch { throw Self.refusal(filepath, error) }
        guard let roomInfo = try await service.listRooms(names: [room]).first else {
            throw AdminError.notFound("room \(room) does not exist")
        }
        var naming = OutputNaming(egressID: egressID, roomName: room, roomID: roomInfo.sid, track: nil, time: now)
        var fileExtension = fileExtension
        if let trackID {
            let published = try await service.listParticipants(room: room).lazy
                .compactMap { owner in owner.tracks.first { $0.sid == trackID }.map { (owner, $0) } }.first
            guard let (owner, track) = published else {
                throw AdminError.notFound("track \(trackID) is not published in room \(room)")
            }
            naming.track = OutputNaming.Track(id: trackID, type: Self.typeName(track.type),
                                              source: Self.sourceName(track.source), publisherIdentity: owner.identity)
            fileExtension = EgressSession.codec(track.mimeType).map(OutputNaming.fileExtension(for:))
        }
        do {
            return Resolved(path: try naming.path(for: filepath, fileExtension: fileExtension), roomID: roomInfo.sid)
        } catch {
            throw Self.refusal(filepath, error)
        }
    }

    static func refusal(_ filepath: String, _ error: RecordingPathError) -> AdminError {
        let shown = filepath.count > 80 ? String(filepath.prefix(80)) + "…" : filepath
        return AdminError.invalidArgument("invalid filepath \"\(shown)\": \(error)")
    }

    /// `{track_type}` as LiveKit writes it.
    static func typeName(_ type: Livekit_TrackType) -> String {
        switch type {
        case .audio: return "audio"
        case .video: return "video"
        default: return "data"
        }
    }

    /// `{track_source}`: LiveKit's `TrackSource` name in lower case.
    static func sourceName(_ source: Livekit_TrackSource) -> String {
        switch source {
        case .camera: return "camera"
        case .microphone: return "microphone"
        case .screenShare: return "screen_share"
        case .screenShareAudio: return "screen_share_audio"
        default: return "unknown"
        }
    }
}
