import CMedia
import Foundation

/// Room composite (issue 5 item 1): every audio track decoded (Opus, 48 kHz) and mixed; every video track
/// decoded (VP8 with libvpx, H.264 with libavcodec) and laid out in a grid, scaled to fit each tile keeping its
/// aspect ratio, at `fps`; encoded H.264 (libx264) + AAC (48 kHz stereo) into a fragmented MP4
/// (`frag_keyframe+empty_moov+default_base_moof`, so a crash leaves a playable file) with avg_frame_rate fps/1.
///
/// One clock: `EncodedFrame.timestamp` and `advance(to:)` are seconds since the recording started.
/// Each output frame shows each track's newest picture at or before the frame time; a track with no picture
/// yet, muted, or silent for `staleVideoAfter` seconds shows a dark placeholder tile. Silence fills audio gaps.
/// Audio arriving after its time was mixed is dropped, so call `advance(to:)` with the wall clock minus a
/// small jitter allowance (e.g. 0.2 s). Not thread-safe: use from one task or thread.
public final class CompositeRecorder {
    public let configuration: CompositeConfiguration
    private let muxer: MediaMuxer
    private let audioEncoder: MediaEncoder
    private let audioStream: Int32
    private let audioFrame: UnsafeMutablePointer<AVFrame>
    private let videoEncoder: MediaEncoder?
    private let videoStream: Int32
    private let compositor: VideoCompositor?

    private var mixer = AudioMixer()
    private var opusDecoders: [String: OpusAudioDecoder] = [:]
    private var videoTracks: [CompositeVideoTrack] = []
    private var mixBlock = [Float](repeating: 0, count: AudioMixer.blockFrames * 2)
    private var pendingLeft: [Float] = []
    private var pendingRight: [Float] = []
    private var audioSamplesEncoded: Int64 = 0
    /// AAC encoder delay (priming samples). The first `audioPriming` mixed samples are not encoded and packets
    /// are shifted later by as much, so audio starts at 0 like video and stays in sync without an edit list
    /// (a fragmented MP4 with empty_moov cannot carry one; a negative first timestamp would shift every stream).
    private let audioPriming: Int64
    private var primingToSkip: Int
    private var finished = false

    /// Output video frames written so far.
    public private(set) var framesWritten = 0
    /// Frames that failed to decode (skipped; the recording goes on).
    public private(set) var decodeErrors = 0

    public init(configuration: CompositeConfiguration) throws {
        self.configuration = configuration
        guard configuration.fps > 0, configuration.fps <= 120 else { throw MediaError.unsupported("fps \(configuration.fps)") }
        muxer = try MediaMuxer(path: configuration.outputPath, format: "mp4")
        let globalHeader = muxer.needsGlobalHeader
        if configuration.audioOnly {
            videoEncoder = nil
            compositor = nil
            videoStream = -1
        } else {
            let compositor = try VideoCompositor(width: configuration.width, height: configuration.height)
            let encoder = try MediaEncoder.h264(width: compositor.width, height: compositor.height, fps: configuration.fps,
                                                bitrate: configuration.videoBitrate, preset: configuration.x264Preset,
                                                globalHeader: globalHeader)
            videoStream = try muxer.addStream(from: encoder, frameRate: AVRational(num: Int32(configuration.fps), den: 1))
            self.compositor = compositor
            videoEncoder = encoder
        }
        audioEncoder = try MediaEncoder.aac(bitrate: configuration.audioBitrate, globalHeader: globalHeader)
        audioStream = try muxer.addStream(from: audioEncoder)
        audioPriming = Int64(max(0, audioEncoder.context.pointee.initial_padding))
        primingToSkip = Int(audioPriming)
        guard let frame = av_frame_alloc() else { throw MediaError.ffmpeg("av_frame_alloc", cmedia_averror(ENOMEM)) }
        audioFrame = frame
        var options = [("movflags", MediaMuxer.fragmentedMP4Flags), ("flush_packets", "1")]
        // A fragment at least every second (not only at the 2 s keyframes): a crash loses < 1 s.
        options.append(("frag_duration", "1000000"))
        try muxer.writeHeader(options: options)
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = audioFrame
        av_frame_free(&frame)
    }

    public func addTrack(id: String, kind: TrackMediaKind, codec: MediaCodec) throws {
        guard !finished else { throw MediaError.notConfigured }
        switch kind {
        case .audio:
            guard codec == .opus else { throw MediaError.unsupported("audio codec \(codec.rawValue)") }
            if opusDecoders[id] == nil { opusDecoders[id] = try OpusAudioDecoder() }
            mixer.addTrack(id)
        case .video:
            guard !configuration.audioOnly, !videoTracks.contains(where: { $0.id == id }) else { return }
            videoTracks.append(try CompositeVideoTrack(id: id, codec: codec, fps: configuration.fps))
        }
    }

    public func removeTrack(id: String) {
        opusDecoders[id] = nil
        mixer.removeTrack(id)
        videoTracks.removeAll { $0.id == id }
    }

    public func setMuted(id: String, muted: Bool) {
        mixer.setMuted(id, muted)
        for track in videoTracks where track.id == id { track.muted = muted }
    }

    /// Decodes `frame` now: video keeps its picture for the output frame at or after its timestamp, audio is queued.
    /// Throws `.notConfigured` for an unknown track; a frame that fails to decode is counted in `decodeErrors` and skipped.
    public func push(_ frame: EncodedFrame) throws {
        guard !finished else { throw MediaError.notConfigured }
        if let decoder = opusDecoders[frame.trackID] {
            do {
                try decoder.decode(frame.data) { pcm in mixer.push(frame.trackID, pcm: pcm, timestamp: frame.timestamp) }
            } catch {
                decodeErrors += 1
            }
        } else if let track = videoTracks.first(where: { $0.id == frame.trackID }) {
            do { try track.push(frame) } catch { decodeErrors += 1 }
        } else if !configuration.audioOnly || frame.codec == .opus {
            throw MediaError.notConfigured
        }
    }

    /// Produces output up to `time` (seconds since start): video frames n with n/fps < time, audio in 20 ms blocks.
    public func advance(to time: Double) throws {
        guard !finished else { throw MediaError.notConfigured }
        guard time.isFinite, time > 0 else { return }
        if let compositor, let videoEncoder {
            let fps = Double(configuration.fps)
            let target = Int((time * fps - 1e-6).rounded(.up))
            while framesWritten < target {
                try renderFrame(index: framesWritten, compositor: compositor, encoder: videoEncoder)
                framesWritten += 1
            }
        }
        let targetSample = Int64((time * Double(AudioMixer.sampleRate) + 1e-6).rounded(.down))
        while mixer.cursor + Int64(AudioMixer.blockFrames) <= targetSample {
            mixBlock.withUnsafeMutableBufferPointer { mixer.mixNextBlock(into: $0) }
            for i in 0..<AudioMixer.blockFrames {
                pendingLeft.append(mixBlock[2 * i])
                pendingRight.append(mixBlock[2 * i + 1])
            }
            try encodePendingAudio(flush: false)
        }
    }

    /// Flushes the encoders and writes the trailer. Returns the recorded duration (seconds) and the file size (bytes).
    public func finish() throws -> (duration: Double, size: Int) {
        guard !finished else { throw MediaError.notConfigured }
        finished = true
        try encodePendingAudio(flush: true)
        try audioEncoder.encode(nil) { packet throws(MediaError) in try writeAudio(packet) }
        if let videoEncoder {
            try videoEncoder.encode(nil) { packet throws(MediaError) in try writeVideo(packet, encoder: videoEncoder) }
        }
        let size = try muxer.finish()
        let videoDuration = Double(framesWritten) / Double(configuration.fps)
        let audioDuration = Double(mixer.cursor) / Double(AudioMixer.sampleRate)
        return (max(videoDuration, audioDuration), size)
    }

    private func renderFrame(index: Int, compositor: VideoCompositor, encoder: MediaEncoder) throws {
        let time = Double(index) / Double(configuration.fps)
        try compositor.beginFrame()
        let layout = GridLayout(tileCount: videoTracks.count, canvasWidth: compositor.width, canvasHeight: compositor.height)
        for (slot, track) in videoTracks.enumerated() {
            compositor.drawTile(slot, of: layout, picture: track.picture(at: time, staleAfter: configuration.staleVideoAfter))
        }
        compositor.canvas.pointee.pts = Int64(index)
        compositor.canvas.pointee.pict_type = AV_PICTURE_TYPE_NONE
        try encoder.encode(compositor.canvas) { packet throws(MediaError) in try writeVideo(packet, encoder: encoder) }
    }

    private func writeVideo(_ packet: UnsafeMutablePointer<AVPacket>, encoder: MediaEncoder) throws(MediaError) {
        if packet.pointee.duration <= 0 { packet.pointee.duration = 1 }  // CFR: one frame lasts 1/fps
        try muxer.write(packet, streamIndex: videoStream, timeBase: encoder.timeBase)
    }

    private func writeAudio(_ packet: UnsafeMutablePointer<AVPacket>) throws(MediaError) {
        if packet.pointee.pts != LibAV.noPTS { packet.pointee.pts += audioPriming }
        if packet.pointee.dts != LibAV.noPTS { packet.pointee.dts += audioPriming }
        try muxer.write(packet, streamIndex: audioStream, timeBase: audioEncoder.timeBase)
    }

    /// Feeds the AAC encoder whole frames of 1024 samples (and the short remainder when flushing).
    private func encodePendingAudio(flush: Bool) throws {
        if primingToSkip > 0 {
            let skipped = min(primingToSkip, pendingLeft.count)
            pendingLeft.removeFirst(skipped)
            pendingRight.removeFirst(skipped)
            primingToSkip -= skipped
        }
        let frameSize = max(1, audioEncoder.frameSize)
        while pendingLeft.count >= frameSize || (flush && !pendingLeft.isEmpty) {
            let count = min(frameSize, pendingLeft.count)
            av_frame_unref(audioFrame)
            audioFrame.pointee.nb_samples = Int32(count)
            audioFrame.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
            audioFrame.pointee.sample_rate = Int32(AudioMixer.sampleRate)
            cmedia_channel_layout_default(&audioFrame.pointee.ch_layout, 2)
            try LibAV.check(av_frame_get_buffer(audioFrame, 0), "av_frame_get_buffer(audio)")
            for (plane, samples) in [pendingLeft, pendingRight].enumerated() {
                guard let data = cmedia_frame_data(audioFrame, Int32(plane)) else { throw MediaError.notConfigured }
                samples.withUnsafeBytes { UnsafeMutableRawPointer(data).copyMemory(from: $0.baseAddress!, byteCount: count * 4) }
            }
            pendingLeft.removeFirst(count)
            pendingRight.removeFirst(count)
            audioFrame.pointee.pts = audioSamplesEncoded
            audioSamplesEncoded += Int64(count)
            try audioEncoder.encode(audioFrame) { packet throws(MediaError) in try writeAudio(packet) }
        }
    }
}
