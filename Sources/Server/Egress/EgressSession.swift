import Egress
import Foundation
import NIOConcurrencyHelpers
import SFU
import Signal

/// One recording: a `RoomRecorder` on the media loop that streams the room's (or one
/// track's) RTP to its worker process, and the `EgressInfo` the API reports.
final class EgressSession: RoomRecorder, @unchecked Sendable {
    let id: String
    let roomName: String
    /// The requested file relative to the storage root: the S3 key, and its place under `localRoot`.
    let storagePath: RecordingPath
    /// `storage.local_dir`, absolute.
    let localRoot: String
    let upload: S3Target?
    private let state: NIOLockedValueBox<Livekit_EgressInfo>
    var worker: EgressWorkerProcess?
    /// Set by the manager once the worker reported its result.
    let result = NIOLockedValueBox<EgressWorkerProcess.Report?>(nil)
    /// When the worker reported `started` (the recording's own start), if it did.
    let recordingStartedAt = NIOLockedValueBox<Int64?>(nil)

    init(id: String, roomName: String, info: Livekit_EgressInfo, storagePath: RecordingPath, localRoot: String,
         upload: S3Target?) {
        self.id = id
        self.roomName = roomName
        self.storagePath = storagePath
        self.localRoot = localRoot
        self.upload = upload
        self.state = NIOLockedValueBox(info)
    }

    /// Where the worker writes.
    var localPath: String { storagePath.local(under: localRoot) }

    var info: Livekit_EgressInfo { state.withLockedValue { $0 } }

    func update(_ body: (inout Livekit_EgressInfo) -> Void) -> Livekit_EgressInfo {
        state.withLockedValue { info in
            body(&info)
            info.updatedAt = Int64(Date().timeIntervalSince1970 * 1e9)
            return info
        }
    }

    var isActive: Bool {
        let status = info.status
        return status == .egressStarting || status == .egressActive || status == .egressEnding
    }

    /// Called when the room finishes: the manager stops the recording.
    var onRoomFinished: (@Sendable () -> Void)?

    // MARK: RoomRecorder (media loop)
    var recordingID: String { id }

    func trackAdded(_ track: RecordedTrack) {
        guard let codec = Self.codec(track.mimeType) else { return }
        sendInOrder(.trackAdded(trackID: track.trackID, participant: track.participantIdentity,
                         kind: track.isVideo ? .video : .audio, codec: codec, clockRate: track.clockRate))
    }

    func trackRemoved(trackID: String) { sendInOrder(.trackRemoved(trackID: trackID)) }

    func trackMuted(trackID: String, muted: Bool) { sendInOrder(.trackMuted(trackID: trackID, muted: muted)) }

    func roomFinished() { onRoomFinished?() }

    /// RTP records not yet handed to the worker (media loop only: a session records one room,
    /// which lives on one shard). One write per batch instead of a lock, a closure and a
    /// write(2) per packet.
    private var batch: [UInt8] = []
    /// A batch is handed on before it grows past this, even between ticks.
    static let batchLimit = 64 << 10

    func tap(trackID: String, packet: UnsafeRawBufferPointer, arrival: Double) -> Bool {
        let started = batch.isEmpty
        if started { batch.reserveCapacity(Self.batchLimit + 2048) }
        EgressRecordCodec.appendRTP(trackID: trackID, arrival: arrival, packet: packet, to: &batch)
        if batch.count >= Self.batchLimit {
            flushTaps()
            return false  // already registered for this tick's flush if `started` was false
        }
        return started
    }

    func flushTaps() {
        guard !batch.isEmpty, let worker else { batch.removeAll(); return }
        worker.send(batch)
        batch = []
    }

    /// A record from the media loop, after the packets batched before it.
    private func sendInOrder(_ record: EgressRecord) {
        flushTaps()
        send(record)
    }

    /// A record sent at once (any thread; the media loop batch must be empty, as after detach).
    func send(_ record: EgressRecord) {
        worker?.send(EgressRecordCodec.encode(record))
    }

    static func codec(_ mimeType: String) -> MediaCodec? {
        switch mimeType.lowercased() {
        case "audio/opus": return .opus
        case "video/vp8": return .vp8
        case "video/h264": return .h264
        case "video/vp9": return .vp9
        case "video/av1": return .av1
        default: return nil
        }
    }
}

/// Where a finished file goes besides the local folder.
struct S3Target: Sendable, Equatable {
    var accessKey: String
    var secret: String
    var sessionToken: String?
    var region: String
    var endpoint: String?
    var bucket: String
    var forcePathStyle: Bool
    var key: String
}
