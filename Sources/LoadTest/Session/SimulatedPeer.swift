#if canImport(Glibc)
import Glibc
#endif
import DTLS
import ICE
import NIOCore
import NIOPosix
import RTP
import SDP

/// One simulated peer connection (LiveKit's subscriber or publisher PC): its socket, its
/// `ClientTransport`, the streams it sends and the tracks it receives, and its RTCP (RFC 3550
/// §6: RR for what it receives, SR + SDES for what it sends, once a second). Confined to the
/// media loop; the participant creates it and feeds it the remote description.
final class SimulatedPeer {
    enum Role: String { case subscriber, publisher }

    let role: Role
    unowned let loop: MediaLoop
    weak var participant: SimulatedParticipant?
    let localUfrag: String
    let localPassword: String
    let rtcpSSRC = UInt32.random(in: 1...UInt32.max)
    let cname: String
    private(set) var socket: PeerSocket?
    private(set) var transport: ClientTransport?
    private(set) var senders: [StreamSender] = []
    private(set) var received: [ReceivedTrackStatistics] = []
    private var receivedIndex: [UInt32: Int] = [:]
    private(set) var connectedAt: Double?
    private(set) var failure: String?
    private(set) var isClosed = false
    /// Position in the media loop's housekeeping list.
    var loopIndex: Int?
    /// Housekeeping has nothing to do before this (monotonic seconds).
    private(set) var nextWakeAt = 0.0
    private var nextReportAt = 0.0

    init(role: Role, loop: MediaLoop, cname: String) {
        self.role = role
        self.loop = loop
        self.cname = cname
        let credentials = ICECredentials.random()
        localUfrag = credentials.ufrag
        localPassword = credentials.password
    }

    /// Takes this peer's own loopback address on the media loop's shared port. On the loop.
    func bind() {
        guard socket == nil else { return }
        socket = loop.makeSocket(for: self)
    }

    var localPort: Int { socket?.localPort ?? 0 }

    /// Our ICE/DTLS parameters for an offer or answer, with our host candidate.
    func localParameters(setup: DTLSSetup) -> LocalTransportParameters {
        let candidate = hostCandidate(address: TransportAddress(ip: socket?.octets ?? [127, 0, 0, 1], port: UInt16(clamping: localPort)))
        return LocalTransportParameters(iceUfrag: localUfrag, icePwd: localPassword,
                                        fingerprint: Fingerprint(algorithm: "sha-256", value: loop.certificate.fingerprintSHA256),
                                        setup: setup, candidates: [candidate], iceLite: false)
    }

    /// The server's side, from its offer or answer: starts ICE toward its candidate (once; a
    /// renegotiation keeps the transport).
    func configure(remote: RemoteTransportDescription, now: Double) throws {
        guard transport == nil, let socket else { return }
        try socket.connect(host: remote.candidateHost, port: remote.candidatePort)
        transport = try ClientTransport(localUfrag: localUfrag, remoteUfrag: remote.ufrag, remotePassword: remote.password,
                                        certificate: loop.certificate,
                                        remoteFingerprint: (remote.fingerprint.algorithm, remote.fingerprint.value))
        nextReportAt = now + Double.random(in: 0.5...1.5)
        loop.add(self)
        tick(now: now)  // the first connectivity check goes out at once
    }

    func addSender(_ sender: StreamSender) { senders.append(sender) }

    /// Starts collecting statistics for tracks our answer accepted.
    func accept(_ tracks: [OfferedDownTrack], now: Double) {
        for track in tracks where receivedIndex[track.ssrc] == nil {
            receivedIndex[track.ssrc] = received.count
            received.append(ReceivedTrackStatistics(kind: track.kind, trackSID: track.trackSID, ssrc: track.ssrc,
                                                    clockRate: track.clockRate, acceptedAt: now))
        }
    }

    // MARK: - I/O (on the loop)

    /// Whether a datagram from this address is the server's, for us.
    func acceptsDatagram(fromIP ip: UInt32, port: UInt16) -> Bool {
        socket?.accepts(fromIP: ip, port: port) ?? false
    }

    /// One datagram from the server, which reached our socket at `arrival` (monotonic seconds).
    func datagramReceived(_ bytes: UnsafeRawBufferPointer, arrival now: Double) {
        guard let transport, !isClosed, bytes.count <= loop.receiveScratch.count else { return }
        let scratch = UnsafeMutableRawBufferPointer(rebasing: loop.receiveScratch[0..<bytes.count])
        scratch.copyMemory(from: bytes)
        loop.totals.bytesReceived &+= UInt64(bytes.count)
        switch transport.receive(scratch, now: now) {
        case .nothing:
            break
        case .rtp(let length):
            loop.totals.packetsReceived &+= 1
            guard let header = try? RTPHeader.parse(UnsafeRawBufferPointer(rebasing: scratch[0..<length])),
                  let index = receivedIndex[header.ssrc] else { return }
            received[index].packetArrived(sequenceNumber: header.sequenceNumber, timestamp: header.timestamp, now: now)
        case .rtcp(let length):
            guard let packets = try? RTCPCompound.parse(UnsafeRawBufferPointer(rebasing: scratch[0..<length])) else { return }
            handleRTCP(packets, now: now)
        case .control(let outputs):
            apply(outputs, now: now)
        }
    }

    private func handleRTCP(_ packets: [RTCPPacket], now: Double) {
        guard let transport, let socket else { return }
        for packet in packets {
            switch packet {
            case .nack(let nack):
                guard let sender = senders.first(where: { $0.ssrc == nack.mediaSSRC }) else { continue }
                sender.retransmit(nack.lostSequenceNumbers, now: now, scratch: loop.sendScratch, transport: transport, socket: socket)
                loop.totals.retransmissionsSent &+= UInt64(nack.lostSequenceNumbers.count)
            case .pli(let pli):
                senders.first { $0.ssrc == pli.mediaSSRC }?.requestKeyframe()
                loop.totals.keyframeRequests &+= 1
            case .fir(let fir):
                for entry in fir.entries { senders.first { $0.ssrc == entry.ssrc }?.requestKeyframe() }
                loop.totals.keyframeRequests &+= 1
            default:
                break
            }
        }
    }

    private func apply(_ outputs: [ClientTransport.Output], now: Double) {
        for output in outputs {
            switch output {
            case .send(let bytes):
                socket?.append(bytes)
            case .connected:
                connectedAt = now
                participant?.peerConnected(self, now: now)
            case .failed(let reason):
                failure = reason
                participant?.peerFailed(self, reason: reason)
            }
        }
    }

    /// Housekeeping: transport timers, then once a second our RTCP. Until connected it runs
    /// on every housekeeping tick (ICE retries, DTLS retransmissions); after that only when a
    /// consent check or a report is due.
    func tick(now: Double) {
        guard let transport, !isClosed else { return }
        let outputs = transport.tick(now: now)
        if !outputs.isEmpty { apply(outputs, now: now) }
        guard transport.isConnected else {
            nextWakeAt = 0
            return
        }
        if now >= nextReportAt {
            nextReportAt = now + 1
            sendReports(now: now)
        }
        nextWakeAt = min(nextReportAt, transport.ice.nextRequestAt)
    }

    /// RFC 3550 §6.4: an RR with a block per received SSRC; an SR plus SDES CNAME per sent SSRC.
    private func sendReports(now: Double) {
        if !received.isEmpty {
            var blocks: [ReceptionReport] = []
            for index in received.indices.prefix(31) where received[index].hasMedia { blocks.append(received[index].makeReport()) }
            if !blocks.isEmpty { sendRTCP([.receiverReport(ReceiverReport(ssrc: rtcpSSRC, reports: blocks))]) }
        }
        guard loop.isSending else { return }
        let ntp = NTPTime.fromUnix(seconds: Double(NIODeadline.now().uptimeNanoseconds) / 1e9 + Self.wallClockOffset)
        for sender in senders where sender.packetsSent > 0 {
            let report = SenderReport(ssrc: sender.ssrc, ntpTimestamp: ntp, rtpTimestamp: sender.lastTimestamp,
                                      packetCount: sender.packetsSent, octetCount: sender.octetsSent)
            sendRTCP([.senderReport(report), .sourceDescription([SDESChunk(ssrc: sender.ssrc, cname: cname)])])
        }
    }

    /// Wall clock minus the monotonic clock, taken once (SR NTP times only need to be consistent).
    private static let wallClockOffset: Double = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let wall = Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        return wall - Double(NIODeadline.now().uptimeNanoseconds) / 1e9
    }()

    private func sendRTCP(_ packets: [RTCPPacket]) {
        guard let transport, let socket else { return }
        let bytes = RTCPCompound.serialize(packets)
        let scratch = loop.sendScratch
        guard bytes.count + SRTPTrailer.reserve <= scratch.count else { return }
        bytes.withUnsafeBytes { scratch.copyMemory(from: $0) }
        guard let protected = transport.protectRTCP(scratch.baseAddress!, length: bytes.count) else { return }
        socket.append(UnsafeRawBufferPointer(rebasing: scratch[0..<protected]))
    }

    /// DTLS close_notify, then the socket closes.
    func close() {
        guard !isClosed else { return }
        if let transport {
            for case .send(let bytes) in transport.close() { socket?.append(bytes) }
            loop.totals.srtpErrors &+= UInt64(transport.srtpErrors)
        }
        loop.flushBatch()
        isClosed = true
        loop.remove(self)
        socket?.close()
    }
}
