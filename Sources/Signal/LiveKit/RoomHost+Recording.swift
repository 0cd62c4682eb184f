import SFU

/// Recorders (egress) attached to rooms: they follow the room's live tracks.
extension RoomHost {
    /// Attaches a recorder to `roomName` (created if needed); `trackID` limits it to one track.
    func attach(_ recorder: RoomRecorder, room roomName: String, trackID: String?) throws {
        guard let room = rooms[roomName] else { throw AdminError.notFound("room \(roomName) does not exist") }
        if let trackID, !room.publishedTracks.contains(where: { $0.1.sid == trackID && $0.1.media != nil }) {
            throw AdminError.notFound("track \(trackID) is not published in room \(roomName)")
        }
        room.recorders.append(RecorderAttachment(recorder: recorder, trackID: trackID))
        syncRecorders(room, now: MediaEngine.now())
    }

    func detach(_ recorder: RoomRecorder) {
        for room in rooms.values {
            guard let index = room.recorders.firstIndex(where: { $0.recorder === recorder }) else { continue }
            for (_, track) in room.publishedTracks { track.media?.removeTap(recorder) }
            recorder.flushTaps()  // what it batched goes before whatever the caller sends next
            room.recorders.remove(at: index)
        }
    }

    /// Brings every recorder of the room in line with its live tracks: new tracks are announced
    /// and tapped, gone ones reported.
    func syncRecorders(_ room: LiveKitRoom, now: Double) {
        guard !room.recorders.isEmpty else { return }
        let live = room.publishedTracks.filter { $0.1.media != nil }
        for index in room.recorders.indices {
            var attachment = room.recorders[index]
            let wanted = live.filter { attachment.wants($0.1.sid) }
            let wantedIDs = Set(wanted.map { $0.1.sid })
            for gone in attachment.tracks.subtracting(wantedIDs) {
                attachment.recorder.trackRemoved(trackID: gone)
            }
            for (owner, track) in wanted where !attachment.tracks.contains(track.sid) {
                guard let media = track.media else { continue }
                attachment.recorder.trackAdded(RecordedTrack(
                    trackID: track.sid, participantIdentity: owner.identity, isVideo: media.kind == .video,
                    mimeType: media.primaryMimeType ?? "", clockRate: media.clockRate))
                if track.info.muted { attachment.recorder.trackMuted(trackID: track.sid, muted: true) }
                media.addTap(attachment.recorder, now: now)
            }
            attachment.tracks = wantedIDs
            room.recorders[index] = attachment
        }
    }

    func notifyRecordersMuted(_ room: LiveKitRoom, trackID: String, muted: Bool) {
        for attachment in room.recorders where attachment.tracks.contains(trackID) {
            attachment.recorder.trackMuted(trackID: trackID, muted: muted)
        }
    }
}
