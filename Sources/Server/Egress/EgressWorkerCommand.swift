import ArgumentParser
import Egress
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// `sfu egress-worker`: the recorder child process. Reads `EgressRecord`s on stdin, writes the
/// file, reports JSON lines on stdout (`started`, `finished` with duration/size/path, `error`).
/// It holds no server state: if it crashes, only this recording fails.
struct EgressWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "egress-worker", abstract: "Internal: the egress recorder process.", shouldDisplay: false)

    @Option var kind: String = "composite"
    @Option var output: String
    @Flag(name: .customLong("audio-only")) var audioOnly = false
    @Option var width: Int = 1280
    @Option var height: Int = 720
    @Option var fps: Int = 15

    /// How far behind the newest arrival the output is rendered: room for reordering.
    static let latency = 0.3

    func run() throws {
        let input = StdinRecords()
        input.start()
        let worker: RecorderDriver
        do {
            if kind == "track" {
                worker = TrackDriver(outputBase: output)
            } else {
                var configuration = CompositeConfiguration(outputPath: output)
                configuration.width = width
                configuration.height = height
                configuration.fps = fps
                configuration.audioOnly = audioOnly
                worker = try CompositeDriver(configuration: configuration)
            }
        } catch {
            Self.report(["event": "error", "message": "\(error)"])
            throw ExitCode(2)
        }
        Self.report(["event": "started"])
        var finished = false
        while !finished {
            let (records, ended) = input.drain(wait: 0.02)
            for record in records {
                if case .finish = record { finished = true; break }
                do { try worker.handle(record) } catch { FileHandle.standardError.write(Data("egress-worker: \(error)\n".utf8)) }
            }
            if ended { finished = true }
            do { try worker.advance(now: Self.now() - Self.latency) } catch {
                FileHandle.standardError.write(Data("egress-worker: \(error)\n".utf8))
            }
        }
        do {
            let result = try worker.finish()
            Self.report(["event": "finished", "duration": result.duration, "size": result.size, "path": result.path])
        } catch {
            Self.report(["event": "error", "message": "\(error)"])
            throw ExitCode(1)
        }
    }

    static func now() -> Double { Double(NIODeadline.now().uptimeNanoseconds) / 1e9 }

    static func report(_ fields: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: fields) else { return }
        // The server may be gone (its end of the pipe closed): EPIPE is not worth a crash, the
        // file is already written by then.
        try? FileHandle.standardOutput.write(contentsOf: data + Data("\n".utf8))
    }
}

/// Reads stdin on its own thread and decodes records.
final class StdinRecords: Sendable {
    private let state = NIOLockedValueBox<(decoder: EgressRecordCodec.Decoder, records: [EgressRecord], ended: Bool)>(
        (EgressRecordCodec.Decoder(), [], false))
    private let signal = DispatchSemaphore(value: 0)

    func start() {
        Thread.detachNewThread { [self] in
            let handle = FileHandle.standardInput
            while true {
                let data = handle.availableData
                let ended = state.withLockedValue { state -> Bool in
                    if data.isEmpty { state.ended = true; return true }
                    state.decoder.append(Array(data))
                    do {
                        while let record = try state.decoder.next() { state.records.append(record) }
                    } catch {
                        // A corrupt stream cannot be resynchronised: finish what we have.
                        state.ended = true
                        return true
                    }
                    return false
                }
                signal.signal()
                if ended { return }
            }
        }
    }

    /// Records read so far (waiting up to `wait` seconds for some), and whether input ended.
    func drain(wait: Double) -> ([EgressRecord], Bool) {
        _ = signal.wait(timeout: .now() + wait)
        return state.withLockedValue { state in
            let records = state.records
            state.records = []
            return (records, state.ended)
        }
    }
}

protocol RecorderDriver {
    func handle(_ record: EgressRecord) throws
    func advance(now: Double) throws
    func finish() throws -> (duration: Double, size: Int, path: String)
}

/// Depacketizers and recording clock shared by both drivers.
class FrameSource {
    var depacketizers: [String: TrackDepacketizer] = [:]
    var clock: RecordingClock?
    var lastArrival: Double = 0

    /// Frames completed by one packet, on the recording clock.
    func frames(trackID: String, packet: [UInt8], arrival: Double) -> [EncodedFrame] {
        guard var depacketizer = depacketizers[trackID] else { return [] }
        if clock == nil { clock = RecordingClock(start: arrival) }
        lastArrival = max(lastArrival, arrival)
        let frames = depacketizer.push(rtp: packet, arrival: arrival)
        depacketizers[trackID] = depacketizer
        return aligned(frames, trackID: trackID)
    }

    /// Frames still held for reordering (the track ended or the recording stops).
    func flush(trackID: String) -> [EncodedFrame] {
        guard var depacketizer = depacketizers[trackID] else { return [] }
        let frames = depacketizer.flush()
        depacketizers[trackID] = depacketizer
        return aligned(frames, trackID: trackID)
    }

    func flushAll() -> [EncodedFrame] { depacketizers.keys.sorted().flatMap { flush(trackID: $0) } }

    /// Onto the recording clock; each frame by its own arrival (reordering may hold it back).
    private func aligned(_ frames: [EncodedFrame], trackID: String) -> [EncodedFrame] {
        guard clock != nil else { return frames }
        var frames = frames
        for index in frames.indices {
            let arrival = frames[index].arrival > 0 ? frames[index].arrival : lastArrival
            frames[index].timestamp = clock!.time(trackID: trackID, rtpSeconds: frames[index].timestamp, arrival: arrival)
        }
        return frames
    }
}

final class CompositeDriver: FrameSource, RecorderDriver {
    let recorder: CompositeRecorder

    init(configuration: CompositeConfiguration) throws {
        recorder = try CompositeRecorder(configuration: configuration)
    }

    func handle(_ record: EgressRecord) throws {
        switch record {
        case .trackAdded(let id, _, let kind, let codec, let clockRate):
            depacketizers[id] = TrackDepacketizer(trackID: id, codec: codec, clockRate: clockRate)
            try recorder.addTrack(id: id, kind: kind, codec: codec)
        case .rtp(let id, let arrival, let packet):
            for frame in frames(trackID: id, packet: packet, arrival: arrival) { try recorder.push(frame) }
        case .trackRemoved(let id):
            for frame in flush(trackID: id) { try recorder.push(frame) }
            depacketizers[id] = nil
            clock?.removeTrack(id)
            recorder.removeTrack(id: id)
        case .trackMuted(let id, let muted):
            recorder.setMuted(id: id, muted: muted)
        case .finish:
            break
        }
    }

    /// Renders up to the wall clock, but not past the newest media: when everyone has left,
    /// the file ends with the last packet rather than with the room's departure timeout.
    func advance(now: Double) throws {
        guard let clock else { return }
        // A pause in every track is rendered (silence, last picture) once media flows again.
        try recorder.advance(to: min(now, lastArrival) - clock.start)
    }

    func finish() throws -> (duration: Double, size: Int, path: String) {
        for frame in flushAll() { try recorder.push(frame) }
        if let clock { try recorder.advance(to: lastArrival - clock.start) }
        let result = try recorder.finish()
        return (result.duration, result.size, recorder.configuration.outputPath)
    }
}

/// One track written as it arrived: Opus → Ogg, VP8 → WebM, H.264 → MP4.
final class TrackDriver: FrameSource, RecorderDriver {
    let outputBase: String
    var recorder: TrackRecorder?
    var path = ""

    init(outputBase: String) { self.outputBase = outputBase }

    func handle(_ record: EgressRecord) throws {
        switch record {
        case .trackAdded(let id, _, _, let codec, let clockRate):
            guard recorder == nil else { return }
            depacketizers[id] = TrackDepacketizer(trackID: id, codec: codec, clockRate: clockRate)
            // The server usually names the container already; if it could not, the same rule here.
            let folder = (outputBase as NSString).deletingLastPathComponent
            let name = OutputNaming.fileName((outputBase as NSString).lastPathComponent,
                                             withExtension: OutputNaming.fileExtension(for: codec))
            path = folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
            recorder = try TrackRecorder(codec: codec, outputPath: path)
        case .rtp(let id, let arrival, let packet):
            for frame in frames(trackID: id, packet: packet, arrival: arrival) { try recorder?.push(frame) }
        case .trackRemoved, .trackMuted, .finish:
            break
        }
    }

    func advance(now: Double) throws {}

    func finish() throws -> (duration: Double, size: Int, path: String) {
        guard let recorder else { throw ValidationError("the track never arrived") }
        for frame in flushAll() { try recorder.push(frame) }
        let result = try recorder.finish()
        return (result.duration, result.size, path)
    }
}
