import Config
import Foundation
import Logging
import SFU
import NIOConcurrencyHelpers
import Signal
import Storage

/// Egress: starts recordings in worker processes, follows them through STARTING → ACTIVE →
/// ENDING → COMPLETE / FAILED, uploads finished files, and reports `egress_*` webhooks.
final class EgressManager: Sendable {
    let service: LiveKitService
    let settings: StorageSettings
    let logger: Logger
    private let sessions = NIOLockedValueBox<[String: EgressSession]>([:])
    /// Ending recordings and finishing them (worker exit, upload, egress_ended).
    private let background = OwnedTasks()
    /// Ended recordings stay listed this long (ListEgress), and at most `endedKept` of them.
    static let endedRetention = 3600.0
    static let endedKept = 1000

    init(service: LiveKitService, settings: StorageSettings, logger: Logger) {
        self.service = service
        self.settings = settings
        self.logger = logger
    }

    // MARK: API

    func startRoomComposite(_ request: Livekit_RoomCompositeEgressRequest) async throws -> Livekit_EgressInfo {
        guard !request.roomName.isEmpty else { throw AdminError.invalidArgument("room_name is required") }
        var output = request.fileOutputs.first ?? Livekit_EncodedFileOutput()
        if request.fileOutputs.isEmpty, case .file(let file)? = request.output { output = file }
        var s3: Livekit_S3Upload?
        if case .s3(let upload)? = output.output { s3 = upload }
        var info = Livekit_EgressInfo()
        info.roomComposite = request
        var arguments = ["--kind", "composite"]
        if request.audioOnly { arguments.append("--audio-only") }
        if case .advanced(let options)? = request.options {
            if options.width > 0 { arguments += ["--width", String(options.width)] }
            if options.height > 0 { arguments += ["--height", String(options.height)] }
        }
        return try await start(room: request.roomName, trackID: nil, info: info, filepath: output.filepath,
                               s3: s3, fileExtension: "mp4", arguments: arguments)
    }

    func startTrack(_ request: Livekit_TrackEgressRequest) async throws -> Livekit_EgressInfo {
        guard !request.roomName.isEmpty, !request.trackID.isEmpty else {
            throw AdminError.invalidArgument("room_name and track_id are required")
        }
        guard case .file(let output)? = request.output else {
            throw AdminError.invalidArgument("only file output is supported for track egress")
        }
        var info = Livekit_EgressInfo()
        info.track = request
        // The container follows the codec: Opus → Ogg, VP8 → WebM, H.264 → MP4 (decided by the worker).
        var s3: Livekit_S3Upload?
        if case .s3(let upload)? = output.output { s3 = upload }
        return try await start(room: request.roomName, trackID: request.trackID, info: info, filepath: output.filepath,
                               s3: s3, fileExtension: nil, arguments: ["--kind", "track"])
    }

    func stop(_ egressID: String) async throws -> Livekit_EgressInfo {
        guard let session = sessions.withLockedValue({ $0[egressID] }) else {
            throw AdminError.notFound("egress \(egressID) not found")
        }
        guard session.isActive else { return session.info }
        await end(session)
        return session.info
    }

    func list(room: String, egressID: String, active: Bool) -> [Livekit_EgressInfo] {
        sessions.withLockedValue { Array($0.values) }
            .filter { (room.isEmpty || $0.roomName == room) && (egressID.isEmpty || $0.id == egressID) && (!active || $0.isActive) }
            .map(\.info)
            .sorted { $0.startedAt < $1.startedAt }
    }

    /// Recordings starting, active or ending (uploads included): a draining node waits for them.
    var activeCount: Int { sessions.withLockedValue { $0.values.filter(\.isActive).count } }

    // MARK: lifecycle

    private func start(room: String, trackID: String?, info template: Livekit_EgressInfo, filepath: String,
                       s3: Livekit_S3Upload?, fileExtension: String?, arguments: [String]) async throws -> Livekit_EgressInfo {
        guard !background.isShutDown else { throw AdminError.unavailable("the node is shutting down") }
        prune(now: Date())
        let id = RandomIdentifier.make("EG_")
        let output = try await EgressOutputResolver(service: service).resolve(
            filepath: filepath, room: room, trackID: trackID, egressID: id, fileExtension: fileExtension)
        // The key in the bucket is the same relative path as the local copy under local_dir.
        let localRoot = URL(fileURLWithPath: settings.localDirectory).standardizedFileURL.path
        let key = output.path.description
        try FileManager.default.createDirectory(
            atPath: (output.path.local(under: localRoot) as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        let target = s3.map { settings.target(from: $0, key: key) } ?? settings.defaultTarget(key: key)
        var info = template
        info.egressID = id
        info.roomID = output.roomID
        info.roomName = room
        info.status = .egressStarting
        info.startedAt = Int64(Date().timeIntervalSince1970 * 1e9)
        info.updatedAt = info.startedAt
        let session = EgressSession(id: id, roomName: room, info: info, storagePath: output.path, localRoot: localRoot,
                                    upload: target)
        let localPath = session.localPath
        session.onRoomFinished = { [weak self, weak session] in
            guard let self, let session else { return }
            self.background.spawn { await self.end(session) }
        }
        do {
            session.worker = try EgressWorkerProcess(
                arguments: arguments + ["--output", localPath], logger: logger,
                onReport: { [weak self, weak session] report in
                    guard let self, let session else { return }
                    self.handle(report, from: session)
                },
                onExit: { [weak self, weak session] status, reason in
                    guard let self, let session else { return }
                    self.background.spawn { await self.workerExited(session, status: status, reason: reason) }
                })
        } catch {
            throw AdminError.invalidArgument("cannot start the egress worker: \(error)")
        }
        sessions.withLockedValue { $0[id] = session }
        do {
            try await service.attach(session, room: room, trackID: trackID)
        } catch {
            session.worker?.kill()
            sessions.withLockedValue { $0[id] = nil }
            throw error
        }
        logger.info("egress \(id) started for room \(room)\(trackID.map { " track \($0)" } ?? "") → \(localPath)")
        service.emitEgressEvent("egress_started", info: session.info)
        return session.info
    }

    private func handle(_ report: EgressWorkerProcess.Report, from session: EgressSession) {
        switch report.event {
        case "started":
            session.recordingStartedAt.withLockedValue { $0 = $0 ?? Int64(Date().timeIntervalSince1970 * 1e9) }
            let info = session.update { if $0.status == .egressStarting { $0.status = .egressActive } }
            service.emitEgressEvent("egress_updated", info: info)
        case "finished", "error":
            session.result.withLockedValue { $0 = report }
        default:
            break
        }
    }

    /// Stops feeding the worker and lets it finalize the file.
    private func end(_ session: EgressSession) async {
        let info = session.update { if $0.status == .egressStarting || $0.status == .egressActive { $0.status = .egressEnding } }
        guard info.status == .egressEnding else { return }
        service.emitEgressEvent("egress_updated", info: info)
        await service.detach(session)
        session.send(.finish)
        session.worker?.closeInput()
    }

    private func workerExited(_ session: EgressSession, status: Int32, reason: Process.TerminationReason) async {
        await service.detach(session)
        let report = session.result.withLockedValue { $0 }
        // The worker reports the file it wrote: a track egress whose codec was not known at start
        // gets its container's extension there.
        let localPath = report?.path ?? session.localPath
        let storagePath = RecordingPath.relative(localPath, under: session.localRoot) ?? session.storagePath
        let size = (try? FileManager.default.attributesOfItem(atPath: localPath)[.size] as? Int) ?? 0
        // As LiveKit fills it: filename = the storage path (the S3 key), location = the object URL
        // once uploaded, else the local file; size in bytes, duration in nanoseconds.
        var file = Livekit_FileInfo()
        file.filename = storagePath.description
        file.location = localPath
        file.size = Int64(report?.size ?? size)
        file.duration = Int64((report?.duration ?? 0) * 1e9)
        file.startedAt = session.recordingStartedAt.withLockedValue { $0 } ?? session.info.startedAt
        file.endedAt = Int64(Date().timeIntervalSince1970 * 1e9)
        var failure: String?
        if reason == .uncaughtSignal {
            failure = "egress worker killed by signal \(status); the part recorded so far is at \(localPath)"
        } else if status != 0 || report?.event != "finished" {
            failure = "egress worker failed (exit \(status))\(report?.message.map { ": \($0)" } ?? ""); the file so far is at \(localPath)"
        } else if let target = session.upload {
            var target = target
            target.key = storagePath.description
            do {
                let uploaded = try await S3Uploader(destination: target.destination).upload(
                    file: localPath, contentType: OutputNaming.contentType(localPath))
                file.location = uploaded.location
                logger.info("egress \(session.id) uploaded to \(uploaded.location) (\(uploaded.size) bytes)")
            } catch {
                failure = "upload failed: \(error); the file is kept at \(localPath)"
            }
        }
        let info = session.update { info in
            info.fileResults = [file]
            info.file = file
            info.endedAt = file.endedAt
            if let failure {
                info.status = .egressFailed
                info.error = failure
            } else {
                info.status = .egressComplete
            }
        }
        logger.info("egress \(session.id) ended: \(info.status)\(failure.map { " — \($0)" } ?? "")")
        service.emitEgressEvent("egress_ended", info: info)
    }
}

extension EgressManager {
    /// Drops ended recordings past `endedRetention`, and the oldest beyond `endedKept`.
    func prune(now: Date) {
        sessions.withLockedValue { sessions in
            let ended = sessions.values.filter { !$0.isActive }.map { (id: $0.id, endedAt: $0.info.endedAt) }
            for id in Self.expired(ended, now: now, retention: Self.endedRetention, kept: Self.endedKept) {
                sessions[id] = nil
            }
        }
    }

    /// Which ended recordings (ids, end times in ns) to forget: those ended more than
    /// `retention` seconds before `now`, then the oldest beyond `kept`.
    static func expired(_ ended: [(id: String, endedAt: Int64)], now: Date, retention: Double, kept: Int) -> [String] {
        let horizon = Int64((now.timeIntervalSince1970 - retention) * 1e9)
        let byAge = ended.sorted { $0.endedAt < $1.endedAt }
        let old = byAge.filter { $0.endedAt < horizon }
        let recent = byAge.filter { $0.endedAt >= horizon }
        return (old + recent.prefix(max(0, recent.count - kept))).map(\.id)
    }

    /// Shutdown, after the HTTP server stopped: recordings still running are ended so that
    /// their workers finish the files (and upload them, and report egress_ended); workers that
    /// have not exited after `timeout` seconds are killed, which fails their recording with the
    /// part written kept. Returns when no work of the manager is left.
    func shutdown(timeout: Double) async {
        let running = sessions.withLockedValue { Array($0.values) }.filter(\.isActive)
        if !running.isEmpty { logger.notice("egress: ending \(running.count) recording(s) for shutdown") }
        for session in running { await end(session) }
        let deadline = Date().addingTimeInterval(timeout)
        while activeCount > 0 || background.count > 0, Date() < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        // Still active past the deadline: a worker that did not finish (killed), or an upload
        // still running (waited for below: its file is complete).
        let stuck = sessions.withLockedValue { Array($0.values) }.filter { $0.isActive && $0.worker?.isRunning == true }
        for session in stuck {
            logger.warning("egress \(session.id): worker still running after \(timeout) s of shutdown, killed")
            session.worker?.kill()
        }
        // A killed worker's exit is still reported (egress_ended, FAILED) before this returns.
        let killDeadline = Date().addingTimeInterval(5)
        while !stuck.isEmpty, activeCount > 0, Date() < killDeadline { try? await Task.sleep(for: .milliseconds(50)) }
        await background.shutdown(cancel: false)
    }
}

extension S3Target {
    var destination: S3Destination {
        S3Destination(accessKey: accessKey, secret: secret, sessionToken: sessionToken, region: region,
                      endpoint: endpoint, bucket: bucket, forcePathStyle: forcePathStyle, key: key)
    }
}
