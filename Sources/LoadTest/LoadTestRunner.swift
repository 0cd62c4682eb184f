import CLI
import DTLS
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Signal

/// Runs one load test: encodes the media once, starts participants at the ramp rate, lets
/// media flow for the duration, then stops the senders, takes the figures and leaves.
///
/// Close order: senders stop (and in-flight packets drain for `drainSeconds`), figures are
/// taken, every participant sends a leave, the WebSockets close (or are cut after
/// `leaveTimeout`), then the peers send DTLS close_notify and their sockets close, then the
/// event loops stop.
public struct LoadTestRunner: Sendable {
    public let options: LoadTestOptions
    let logger: Logger
    static let drainSeconds = 0.4
    static let leaveTimeout = 5.0

    public init(options: LoadTestOptions) {
        self.options = options
        var logger = Logger(label: "sfu.load-test")
        logger.logLevel = .error
        self.logger = logger
    }

    public func run() async throws -> LoadTestSummary {
        let cpuAtStart = ProcessCPU.seconds()
        let startedAt = MediaLoop.now()
        note("encoding media (Opus\(options.profile == .video ? " and 3-layer VP8 simulcast" : ""))")
        let clips = try Self.encodeClips(video: options.profile == .video)
        let layers = zip(clips.layerSpecs, clips.videoLayers).map { spec, clip in
            "\(spec.rid) \(spec.width)x\(spec.height) \(Int(clip.bitrate / 1000)) kbit/s"
        }
        note("Opus \(Int(clips.audio.bitrate / 1000)) kbit/s" + (layers.isEmpty ? "" : "; VP8 " + layers.joined(separator: ", ")))
        let loop = try MediaLoopHandle(MediaLoop(certificate: DTLSCertificate.generate(commonName: "sfu-load-test")))
        let signalGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop.execute { $0.start() }
        let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let plans = LoadTestPlan.participants(for: options, runID: runID)
        note("\(plans.count) participants in \(options.rooms) \(options.profile.rawValue) room(s), \(options.rampPerSecond) joins/s, "
             + "\(options.durationSeconds) s of media after the last join, against \(options.target.webSocketBase)")

        let (jobs, queue) = AsyncStream.makeStream(of: ParticipantPlan.self)
        let signalling = Task {
            await withTaskGroup(of: Void.self) { group in
                for await plan in jobs {
                    group.addTask { await join(plan, loop: loop, clips: clips, signalGroup: signalGroup) }
                }
            }
        }

        var ramp = RampScheduler(rate: options.rampPerSecond, total: plans.count)
        var progress = ProgressLine()
        var nextProgressAt = MediaLoop.now()
        var next = 0
        while !ramp.isFinished {
            let now = MediaLoop.now()
            for _ in 0..<ramp.due(now: now) {
                queue.yield(plans[next])
                next += 1
            }
            if now >= nextProgressAt {
                nextProgressAt = now + 1
                progress.update(try await sample(loop, total: plans.count))
            }
            let wait = min(ramp.delayUntilNext(now: MediaLoop.now()) ?? 0, 0.05)
            if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
        }
        queue.finish()
        let mediaStartedAt = MediaLoop.now()
        let cpuAtMediaStart = ProcessCPU.seconds()
        let mediaEndsAt = mediaStartedAt + Double(options.durationSeconds)
        while MediaLoop.now() < mediaEndsAt {
            try? await Task.sleep(nanoseconds: UInt64(min(0.25, max(0.001, mediaEndsAt - MediaLoop.now())) * 1e9))
            if MediaLoop.now() >= nextProgressAt {
                nextProgressAt += 1
                progress.update(try await sample(loop, total: plans.count))
            }
        }
        try await loop.submit { $0.isSending = false }.get()
        let mediaSeconds = MediaLoop.now() - mediaStartedAt
        let mediaCPUSeconds = ProcessCPU.seconds() - cpuAtMediaStart
        try? await Task.sleep(nanoseconds: UInt64(Self.drainSeconds * 1e9))
        progress.finish()
        var summary = try await loop.submit { loop in
            Self.summarize(loop, expectedTracks: LoadTestPlan.expectedSubscribedTracks(plans), participants: plans.count)
        }.get()
        summary.durationSeconds = mediaSeconds
        summary.elapsedSeconds = MediaLoop.now() - startedAt
        summary.testerCPUSeconds = ProcessCPU.seconds() - cpuAtStart
        summary.testerMediaCPUSeconds = mediaCPUSeconds

        try await loop.submit { loop in loop.forEachParticipant { $0.leave() } }.get()
        let left = await Self.finished(signalling, within: Self.leaveTimeout)
        if !left { signalling.cancel() }
        try await loop.submit { loop in
            loop.forEachParticipant { $0.closePeers() }
            loop.stopTimers()
        }.get()
        try? await signalGroup.shutdownGracefully()
        await signalling.value
        // Let the close_notify datagrams and socket closes go out before the loop stops.
        try? await Task.sleep(nanoseconds: 50_000_000)
        await loop.shutdown()
        return summary
    }

    /// One participant's whole life: sockets, token, signalling until the end of the run.
    private func join(_ plan: ParticipantPlan, loop: MediaLoopHandle, clips: ClipLibrary, signalGroup: EventLoopGroup) async {
        let participant: SimulatedParticipantHandle
        do {
            participant = try await loop.submit { loop in
                let participant = SimulatedParticipant(plan: plan, loop: loop, clips: clips, now: MediaLoop.now())
                loop.add(participant)
                return SimulatedParticipantHandle(participant)
            }.get()
        } catch {
            return
        }
        do {
            try await participant.submit { $0.bindSockets() }.get()
            var grants: [TokenGrant] = [.join, .subscribe, .publishData]
            if plan.publishes { grants.append(.publish) }
            let request = TokenRequest(apiKey: options.apiKey, room: plan.room, identity: plan.identity, grants: grants,
                                       validFor: options.durationSeconds + 3_600)
            let token = try await AccessTokenSigner.sign(try request.claims(), secret: options.apiSecret)
            await SignalConnection.run(participant: participant, target: options.target, token: token, group: signalGroup,
                                       logger: logger)
        } catch {
            participant.execute { $0.signallingFailed("cannot start: \(error)") }
        }
    }

    private func sample(_ loop: MediaLoopHandle, total: Int) async throws -> ProgressLine.Sample {
        try await loop.submit { loop in
            var sample = ProgressLine.Sample(time: MediaLoop.now(), joined: 0, failed: 0, total: total,
                                             packetsSent: loop.totals.packetsSent, packetsReceived: loop.totals.packetsReceived,
                                             packetsExpected: 0, packetsLost: 0)
            loop.forEachParticipant { participant in
                if participant.isJoined { sample.joined += 1 }
                if participant.failure != nil { sample.failed += 1 }
                for track in participant.subscriber.received {
                    sample.packetsExpected += track.packetsExpected
                    sample.packetsLost += track.packetsLost
                }
            }
            return sample
        }.get()
    }

    /// The figures, read on the loop.
    static func summarize(_ loop: MediaLoop, expectedTracks: Int, participants: Int) -> LoadTestSummary {
        var summary = LoadTestSummary(participants: participants, tracksExpected: expectedTracks)
        var srtpErrors = 0
        loop.forEachParticipant { participant in
            if let join = participant.joinMilliseconds {
                summary.participantsJoined += 1
                summary.joinMilliseconds.append(join)
            }
            if let failure = participant.failure, summary.failures.count < 5 {
                summary.failures.append("\(participant.plan.identity): \(failure)")
            }
            for peer in participant.peers { srtpErrors += peer.transport?.srtpErrors ?? 0 }
            for track in participant.subscriber.received where track.hasMedia {
                summary.tracksSubscribed += 1
                summary.packetsExpected += track.packetsExpected
                summary.packetsReceived += track.packetsReceived
                summary.packetsLost += track.packetsLost
                summary.jitterMilliseconds.append(track.jitterMilliseconds)
                if let first = track.firstPacketMilliseconds { summary.firstMediaMilliseconds.append(first) }
            }
        }
        summary.joinFailures = participants - summary.participantsJoined
        summary.packetsSent = loop.totals.packetsSent
        summary.bytesSent = loop.totals.bytesSent
        summary.bytesReceived = loop.totals.bytesReceived
        summary.retransmissionsSent = loop.totals.retransmissionsSent
        summary.keyframeRequests = loop.totals.keyframeRequests
        summary.sendErrors = loop.totals.sendErrors
        if srtpErrors > 0, summary.failures.count < 5 { summary.failures.append("\(srtpErrors) SRTP errors") }
        return summary
    }

    static func encodeClips(video: Bool) throws -> ClipLibrary {
        let audio = try OpusToneEncoder.encode()
        let specs = video ? SimulcastLayerSpec.standard : []
        let layers = video ? try VP8SimulcastEncoder.encode(layers: specs) : []
        return ClipLibrary(audio: audio, videoLayers: layers, layerSpecs: specs)
    }

    /// Whether `task` finished within `seconds`.
    private static func finished(_ task: Task<Void, Never>, within seconds: Double) async -> Bool {
        let deadline = MediaLoop.now() + seconds
        let done = NIOLockedValueBox(false)
        Task { await task.value; done.withLockedValue { $0 = true } }
        while MediaLoop.now() < deadline {
            if done.withLockedValue({ $0 }) { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return done.withLockedValue { $0 }
    }

    private func note(_ text: String) {
        FileHandle.standardError.write(Data("sfu load-test: \(text)\n".utf8))
    }
}
