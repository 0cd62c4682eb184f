import RTP

/// One outgoing RTP stream (an SSRC) of a simulated publisher: an Opus track or one VP8
/// simulcast layer, replaying its pre-encoded clip at the clip's frame rate. Packets are built
/// in the media loop's scratch buffer, kept in a small send history for NACKs (RFC 4585
/// §6.2.1), protected in place and queued on the peer's socket batch: no allocation per packet.
final class StreamSender {
    enum Codec { case opus, vp8 }

    let codec: Codec
    let ssrc: UInt32
    /// The RID this layer carries (RFC 8852), nil for a plain stream.
    let rid: String?
    unowned let peer: SimulatedPeer
    private let clip: EncodedClip
    private var template: RTPHeaderWriter
    private var history: RetransmissionBuffer
    private var sequenceNumber: UInt16
    private let timestampBase: UInt32
    private let timestampStep: UInt32
    private var framesSent: UInt64 = 0
    private var frameIndex = 0
    private var pictureID: UInt16
    /// Ideal time of the next frame (monotonic seconds).
    private(set) var nextFrameAt: Double
    let frameInterval: Double
    private(set) var packetsSent: UInt32 = 0
    private(set) var octetsSent: UInt32 = 0
    private(set) var retransmissions = 0
    private(set) var keyframeRequests = 0
    /// Largest RTP payload (descriptor included) per packet, as libwebrtc keeps packets under ~1200 bytes.
    static let maxPayload = 1_100

    init(codec: Codec, ssrc: UInt32, rid: String?, peer: SimulatedPeer, clip: EncodedClip, payloadType: UInt8,
         midExtension: (id: UInt8, value: String)?, ridExtensionID: UInt8?, audioLevelExtensionID: UInt8?, start: Double) {
        self.codec = codec
        self.ssrc = ssrc
        self.rid = rid
        self.peer = peer
        self.clip = clip
        template = RTPHeaderWriter(payloadType: payloadType, marker: false, sequenceNumber: 0, timestamp: 0, ssrc: ssrc)
        if let midExtension { template.addExtension(id: midExtension.id, value: Array(midExtension.value.utf8)) }
        if let rid, let ridExtensionID { template.addExtension(id: ridExtensionID, value: Array(rid.utf8)) }
        if let audioLevelExtensionID {
            template.addExtension(id: audioLevelExtensionID, value: [AudioLevelExtension.value(level: 30, voiceActivity: true)])
        }
        let video = codec == .vp8
        history = RetransmissionBuffer(capacity: video ? 512 : 32, maxPacketSize: video ? 1_300 : 400)
        sequenceNumber = .random(in: 0...UInt16.max)
        timestampBase = .random(in: 0...UInt32.max)
        timestampStep = video ? UInt32((90_000 / clip.frameRate).rounded()) : OpusPacketizer.timestampStep
        pictureID = .random(in: 0...0x7FFF)
        frameInterval = 1 / clip.frameRate
        nextFrameAt = start
    }

    /// The first frame goes out at `time` (a random phase per stream spreads the load).
    func startPacing(at time: Double) { nextFrameAt = time }

    /// RTP timestamp of the last frame sent (for sender reports).
    var lastTimestamp: UInt32 { timestampBase &+ UInt32(truncatingIfNeeded: max(1, framesSent) - 1) &* timestampStep }
    var clockRate: UInt32 { codec == .vp8 ? 90_000 : OpusPacketizer.clockRate }

    /// Sends the frame that is due, and moves `nextFrameAt` on by one frame (catching up after
    /// a short stall, skipping ahead after a long one).
    func sendFrame(now: Double, scratch: UnsafeMutableRawBufferPointer, transport: ClientTransport, socket: PeerSocket) {
        let timestamp = timestampBase &+ UInt32(truncatingIfNeeded: framesSent) &* timestampStep
        let offset = clip.offsets[frameIndex]
        let length = clip.lengths[frameIndex]
        clip.bytes.withUnsafeBytes { all in
            let frame = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
            switch codec {
            case .opus:
                sendPacket(payload: frame, descriptor: false, startOfFrame: true, marker: OpusPacketizer.marker(framesSent: framesSent),
                           timestamp: timestamp, scratch: scratch, transport: transport, socket: socket, now: now)
            case .vp8:
                let count = VP8Packetizer.packetCount(frameLength: length, maxPayload: Self.maxPayload)
                for index in 0..<count {
                    let range = VP8Packetizer.fragment(index, of: count, frameLength: length)
                    sendPacket(payload: UnsafeRawBufferPointer(rebasing: frame[range]), descriptor: true, startOfFrame: index == 0,
                               marker: index == count - 1, timestamp: timestamp, scratch: scratch, transport: transport,
                               socket: socket, now: now)
                }
                pictureID = (pictureID &+ 1) & 0x7FFF
            }
        }
        framesSent &+= 1
        frameIndex = clip.frame(after: frameIndex)
        nextFrameAt += frameInterval
        if nextFrameAt < now - 0.25 { nextFrameAt = now + frameInterval }
    }

    @inline(__always)
    private func sendPacket(payload: UnsafeRawBufferPointer, descriptor: Bool, startOfFrame: Bool, marker: Bool, timestamp: UInt32,
                            scratch: UnsafeMutableRawBufferPointer, transport: ClientTransport, socket: PeerSocket, now: Double) {
        var writer = template
        writer.sequenceNumber = sequenceNumber
        writer.timestamp = timestamp
        writer.marker = marker
        let base = scratch.baseAddress!
        var length = writer.write(into: scratch)
        if descriptor {
            length += VP8Packetizer.writeDescriptor(into: base + length, pictureID: pictureID, startOfFrame: startOfFrame)
        }
        guard length + payload.count + SRTPTrailer.reserve <= scratch.count else { return }
        (base + length).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
        length += payload.count
        history.store(sequenceNumber: sequenceNumber, packet: UnsafeRawBufferPointer(rebasing: scratch[0..<length]), now: now)
        sequenceNumber &+= 1
        packetsSent &+= 1
        octetsSent &+= UInt32(truncatingIfNeeded: payload.count)
        guard let protected = transport.protectRTP(base, length: length) else { return }
        socket.append(UnsafeRawBufferPointer(rebasing: scratch[0..<protected]))
    }

    /// Resends NACKed packets from the history (same SSRC and sequence number: no RTX stream
    /// is negotiated, RFC 4585 §6.2.1).
    func retransmit(_ sequenceNumbers: [UInt16], now: Double, scratch: UnsafeMutableRawBufferPointer,
                    transport: ClientTransport, socket: PeerSocket) {
        for sequence in sequenceNumbers {
            let length: Int? = history.withPacket(sequenceNumber: sequence, maxAge: 1.0, now: now) { packet in
                guard packet.count + SRTPTrailer.reserve <= scratch.count else { return nil }
                scratch.copyMemory(from: packet)
                return packet.count
            } ?? nil
            guard let length, let protected = transport.protectRTP(scratch.baseAddress!, length: length) else { continue }
            socket.append(UnsafeRawBufferPointer(rebasing: scratch[0..<protected]))
            retransmissions += 1
        }
    }

    /// PLI/FIR (RFC 4585 §6.3.1, RFC 5104 §4.3.1): the next frame sent is the clip's next keyframe.
    func requestKeyframe() {
        guard codec == .vp8 else { return }
        keyframeRequests += 1
        if !clip.keyframes[frameIndex] { frameIndex = clip.keyframe(atOrAfter: frameIndex) }
    }
}

/// Room to leave after a packet for the SRTP/SRTCP trailer.
enum SRTPTrailer {
    static let reserve = 64
}
