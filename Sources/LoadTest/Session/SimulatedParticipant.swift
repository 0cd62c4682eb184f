import Foundation
import NIOCore
import Signal
import SDP

/// One simulated LiveKit participant, as an SDK runs a dual-PC session (PROTOCOL.md §2):
/// the JoinResponse, the server's subscriber offer answered on the subscriber PC, and, when
/// it publishes, AddTrackRequests then a publisher offer on its own PC. A small coordinator:
/// signalling comes in through `handle(_:)`, the peers do the media. Confined to the media
/// loop, so not `Sendable`: the runner and the signalling task reach it through a
/// `SimulatedParticipantHandle`.
final class SimulatedParticipant {
    let plan: ParticipantPlan
    unowned let loop: MediaLoop
    private let clips: ClipLibrary
    let subscriber: SimulatedPeer
    let publisher: SimulatedPeer?
    private var outbox: AsyncStream<Livekit_SignalRequest>.Continuation?

    // Timing (monotonic seconds).
    let startedAt: Double
    private(set) var joinResponseAt: Double?
    private(set) var joinedAt: Double?
    private(set) var failure: String?
    private(set) var sid = ""
    private var pingInterval = 5.0
    private var nextPingAt = Double.infinity
    private var isLeaving = false

    // Publishing.
    private let audioCID: String
    private let videoCID: String
    private let audioSSRC = UInt32.random(in: 1...UInt32.max)
    private var tracksAwaitingPublish = 0
    private(set) var tracksPublished = 0
    private var subscriberAnswers: UInt64 = 0
    private let sessionID = UInt64.random(in: 1...UInt64(Int64.max))

    init(plan: ParticipantPlan, loop: MediaLoop, clips: ClipLibrary, now: Double) {
        self.plan = plan
        self.loop = loop
        self.clips = clips
        startedAt = now
        let cname = "lt-\(plan.identity)"
        subscriber = SimulatedPeer(role: .subscriber, loop: loop, cname: cname)
        publisher = plan.publishes ? SimulatedPeer(role: .publisher, loop: loop, cname: cname) : nil
        audioCID = "\(plan.identity)-microphone"
        videoCID = "\(plan.identity)-camera"
        subscriber.participant = self
        publisher?.participant = self
    }

    /// Gives each peer its loopback address before signalling starts. On the loop.
    func bindSockets() {
        subscriber.bind()
        publisher?.bind()
    }

    func attach(outbox: AsyncStream<Livekit_SignalRequest>.Continuation) {
        self.outbox = outbox
    }

    var isJoined: Bool { joinedAt != nil }
    var joinMilliseconds: Double? { joinedAt.map { ($0 - startedAt) * 1000 } }
    var signalMilliseconds: Double? { joinResponseAt.map { ($0 - startedAt) * 1000 } }
    var peers: [SimulatedPeer] { [subscriber] + (publisher.map { [$0] } ?? []) }

    // MARK: - signalling (on the loop)

    /// One server message; returns the requests to send in reply.
    func handle(_ response: Livekit_SignalResponse) -> [Livekit_SignalRequest] {
        let now = MediaLoop.now()
        switch response.message {
        case .join(let join):
            joinResponseAt = now
            sid = join.participant.sid
            if join.pingInterval > 0 { pingInterval = Double(join.pingInterval) }
            nextPingAt = now + pingInterval * Double.random(in: 0.5...1)
            return addTrackRequests()
        case .trackPublished:
            tracksPublished += 1
            tracksAwaitingPublish -= 1
            guard tracksAwaitingPublish == 0 else { return [] }
            return [publisherOffer()].compactMap { $0 }
        case .offer(let offer):
            return [subscriberAnswer(to: offer, now: now)].compactMap { $0 }
        case .answer(let answer):
            publisherAnswered(answer, now: now)
            return []
        case .leave(let leave):
            if !isLeaving { fail("server sent leave (reason \(leave.reason))") }
            return []
        case .requestResponse(let response) where response.reason != .ok:
            fail("request refused: \(response.message)")
            return []
        default:
            return []
        }
    }

    private func addTrackRequests() -> [Livekit_SignalRequest] {
        var requests: [Livekit_SignalRequest] = []
        if plan.publishesAudio {
            var add = Livekit_AddTrackRequest()
            add.cid = audioCID
            add.name = "microphone"
            add.type = .audio
            add.source = .microphone
            add.muted = !plan.sendsMedia
            var request = Livekit_SignalRequest()
            request.addTrack = add
            requests.append(request)
        }
        if plan.publishesVideo, let top = clips.layerSpecs.last {
            var add = Livekit_AddTrackRequest()
            add.cid = videoCID
            add.name = "camera"
            add.type = .video
            add.source = .camera
            add.muted = !plan.sendsMedia
            add.width = UInt32(top.width)
            add.height = UInt32(top.height)
            let qualities: [Livekit_VideoQuality] = [.low, .medium, .high]
            add.layers = clips.layerSpecs.enumerated().map { index, spec in
                var layer = Livekit_VideoLayer()
                layer.quality = qualities[min(index, qualities.count - 1)]
                layer.width = UInt32(spec.width)
                layer.height = UInt32(spec.height)
                layer.bitrate = UInt32(spec.bitrate)
                return layer
            }
            var codec = Livekit_SimulcastCodec()
            codec.codec = "vp8"
            codec.cid = videoCID
            codec.layers = add.layers
            add.simulcastCodecs = [codec]
            var request = Livekit_SignalRequest()
            request.addTrack = add
            requests.append(request)
        }
        tracksAwaitingPublish = requests.count
        return requests
    }

    private func publisherOffer() -> Livekit_SignalRequest? {
        guard let publisher else { return nil }
        let sdp = PublisherOffer.make(
            local: publisher.localParameters(setup: .actpass), streamID: "\(plan.identity)-stream", cname: publisher.cname,
            audio: plan.publishesAudio ? .init(cid: audioCID, ssrc: audioSSRC) : nil,
            video: plan.publishesVideo ? .init(cid: videoCID, rids: clips.layerSpecs.map(\.rid)) : nil,
            sessionID: sessionID, version: 2)
        var offer = Livekit_SessionDescription()
        offer.type = "offer"
        offer.sdp = sdp
        offer.id = 1
        var request = Livekit_SignalRequest()
        request.offer = offer
        return request
    }

    private func publisherAnswered(_ answer: Livekit_SessionDescription, now: Double) {
        guard let publisher else { return }
        do {
            let (remote, accepted) = try PublisherOffer.read(answer: answer.sdp)
            try publisher.configure(remote: remote, now: now)
            for section in accepted {
                let mid = section.midExtensionID.map { (id: $0, value: section.mid) }
                if section.kind == "audio", plan.publishesAudio {
                    publisher.addSender(StreamSender(codec: .opus, ssrc: audioSSRC, rid: nil, peer: publisher, clip: clips.audio,
                                                     payloadType: section.payloadType, midExtension: mid, ridExtensionID: nil,
                                                     audioLevelExtensionID: section.audioLevelExtensionID, start: now))
                } else if section.kind == "video", plan.publishesVideo {
                    for (index, clip) in clips.videoLayers.enumerated() {
                        publisher.addSender(StreamSender(codec: .vp8, ssrc: .random(in: 1...UInt32.max), rid: clips.layerSpecs[index].rid,
                                                         peer: publisher, clip: clip, payloadType: section.payloadType,
                                                         midExtension: mid, ridExtensionID: section.ridExtensionID,
                                                         audioLevelExtensionID: nil, start: now))
                    }
                }
            }
        } catch {
            fail("publisher answer: \(error)")
        }
    }

    private func subscriberAnswer(to offer: Livekit_SessionDescription, now: Double) -> Livekit_SignalRequest? {
        do {
            subscriberAnswers += 1
            let result = try SubscriberAnswer.make(offer: offer.sdp, local: subscriber.localParameters(setup: .active),
                                                   sessionID: sessionID, version: subscriberAnswers + 1)
            try subscriber.configure(remote: result.remote, now: now)
            subscriber.accept(result.tracks, now: now)
            var answer = Livekit_SessionDescription()
            answer.type = "answer"
            answer.sdp = result.sdp
            answer.id = offer.id
            var request = Livekit_SignalRequest()
            request.answer = answer
            return request
        } catch {
            fail("subscriber offer: \(error)")
            return nil
        }
    }

    // MARK: - media events (on the loop)

    func peerConnected(_ peer: SimulatedPeer, now: Double) {
        if peer === publisher, plan.sendsMedia {
            // Start each stream at a random phase so a room's packets do not go out in lockstep.
            for sender in peer.senders {
                sender.startPacing(at: now + Double.random(in: 0..<sender.frameInterval))
                loop.register(sender)
            }
        }
        let allConnected = peers.allSatisfy { $0.connectedAt != nil }
        if allConnected, joinedAt == nil { joinedAt = now }
    }

    func peerFailed(_ peer: SimulatedPeer, reason: String) {
        fail("\(peer.role.rawValue) PC: \(reason)")
    }

    func signallingFailed(_ reason: String) {
        if !isLeaving { fail("signalling: \(reason)") }
    }

    private func fail(_ reason: String) {
        if failure == nil { failure = reason }
    }

    /// Housekeeping: the SDK's ping (PROTOCOL.md §2.7) every `ping_interval`.
    func tick(now: Double) {
        guard now >= nextPingAt, let outbox, !isLeaving else { return }
        nextPingAt = now + pingInterval
        var ping = Livekit_Ping()
        ping.timestamp = Int64(Date().timeIntervalSince1970 * 1000)
        var request = Livekit_SignalRequest()
        request.pingReq = ping
        outbox.yield(request)
    }

    /// Sends a client-initiated leave and ends the signalling stream.
    func leave() {
        guard !isLeaving else { return }
        isLeaving = true
        var leave = Livekit_LeaveRequest()
        leave.reason = .clientInitiated
        leave.action = .disconnect
        var request = Livekit_SignalRequest()
        request.leave = leave
        outbox?.yield(request)
        outbox?.finish()
    }

    func closePeers() {
        for peer in peers { peer.close() }
    }
}
