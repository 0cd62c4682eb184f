#if canImport(Glibc)
import Glibc
#endif
import DTLS
import NIOCore
import NIOPosix
import RTP

/// Running totals of the media loop (read on the loop).
struct MediaTotals: Equatable {
    var packetsSent: UInt64 = 0
    var bytesSent: UInt64 = 0
    var packetsReceived: UInt64 = 0
    var bytesReceived: UInt64 = 0
    var retransmissionsSent: UInt64 = 0
    var keyframeRequests: UInt64 = 0
    var srtpErrors: UInt64 = 0
    /// Datagrams the kernel refused (socket buffer full, port unreachable).
    var sendErrors: UInt64 = 0
}

/// The one event loop (one thread) that owns every simulated peer connection: the shared
/// `LoopbackPort`, transports, senders and receive statistics. Two shared timers drive
/// everything: the pacing timer (1 ms) reads what arrived, advances a `TimingWheel` of every
/// outgoing stream and sends the batch; the housekeeping timer (50 ms) runs ICE, DTLS, RTCP
/// and signalling pings. No per-participant timers, and no readiness event per datagram.
///
/// Not `Sendable`: everything in it lives on its one thread, without locks. It is made off
/// that thread, handed over once to a `MediaLoopHandle`, and other threads (the runner, the
/// signalling) reach it only through that handle.
final class MediaLoop {
    /// The loop's one thread (`MediaLoopHandle` shuts it down).
    let group: MultiThreadedEventLoopGroup
    let eventLoop: EventLoop
    let certificate: DTLSCertificate
    static let tickSeconds = 0.001
    static let housekeepingInterval = TimeAmount.milliseconds(50)

    private var wheel = TimingWheel(slotCount: 256)
    private var senders: [StreamSender?] = []
    /// Peers with a transport, for housekeeping (each knows its index, for O(1) removal).
    private var peers: [SimulatedPeer] = []
    private var participants: [SimulatedParticipant] = []
    /// Every peer's socket: one port, an address per peer.
    let port: LoopbackPort
    private var nextAddressIndex = 0
    private var due: [Int32] = []
    /// Building and protecting one outgoing packet.
    let sendScratch: UnsafeMutableRawBufferPointer
    /// Decrypting one received datagram.
    let receiveScratch: UnsafeMutableRawBufferPointer
    private let origin: Double
    private var timersRunning = false
    /// Cleared at the end of the run: senders stop, the rest keeps going until close.
    var isSending = true
    var totals = MediaTotals()

    init(certificate: DTLSCertificate) throws {
        port = try LoopbackPort()
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        eventLoop = group.next()
        self.certificate = certificate
        sendScratch = .allocate(byteCount: 2_048, alignment: 16)
        receiveScratch = .allocate(byteCount: 65_536, alignment: 16)
        origin = Self.now()
    }

    deinit {
        sendScratch.deallocate()
        receiveScratch.deallocate()
    }

    /// Monotonic seconds.
    static func now() -> Double { Double(NIODeadline.now().uptimeNanoseconds) / 1e9 }

    /// Starts both timers. They are NIO scheduled callbacks re-armed from their own handler:
    /// unlike a `RepeatedTask`, re-arming allocates nothing (no task object, no promise).
    /// On the loop.
    func start() {
        timersRunning = true
        arm(LoopTimer(loop: self, kind: .pacing), after: .milliseconds(1))
        arm(LoopTimer(loop: self, kind: .housekeeping), after: Self.housekeepingInterval)
    }

    func stopTimers() {
        timersRunning = false
    }

    fileprivate func fire(_ timer: LoopTimer) {
        guard timersRunning else { return }
        switch timer.kind {
        case .pacing:
            pace()
            arm(timer, after: .milliseconds(1))
        case .housekeeping:
            runHousekeeping()
            arm(timer, after: Self.housekeepingInterval)
        }
    }

    private func arm(_ timer: LoopTimer, after delay: TimeAmount) {
        _ = try? eventLoop.scheduleCallback(in: delay, handler: timer)
    }

    private func tick(for time: Double) -> Int64 {
        Int64(((time - origin) / Self.tickSeconds).rounded(.up))
    }

    // MARK: - registration (on the loop)

    func add(_ peer: SimulatedPeer) {
        guard peer.loopIndex == nil else { return }
        peer.loopIndex = peers.count
        peers.append(peer)
    }

    func remove(_ peer: SimulatedPeer) {
        guard let index = peer.loopIndex, index < peers.count, peers[index] === peer else { return }
        let last = peers.removeLast()
        if index < peers.count {
            peers[index] = last
            last.loopIndex = index
        }
        peer.loopIndex = nil
    }
    func add(_ participant: SimulatedParticipant) { participants.append(participant) }

    /// Starts pacing `sender` from its `nextFrameAt`.
    func register(_ sender: StreamSender) {
        let id = Int32(senders.count)
        senders.append(sender)
        wheel.schedule(id, at: tick(for: sender.nextFrameAt))
    }

    /// A new address on the shared port for `peer`, whose arrivals go to it from now on.
    func makeSocket(for peer: SimulatedPeer) -> PeerSocket {
        let socket = PeerSocket(port: port, index: nextAddressIndex)
        nextAddressIndex += 1
        port.attach(peer, address: socket.address)
        return socket
    }


    // MARK: - timers

    private func pace() {
        receive()
        let now = Self.now()
        wheel.advance(through: tick(for: now), into: &due)
        for id in due {
            guard let sender = senders[Int(id)] else { continue }
            let peer = sender.peer
            guard isSending, !peer.isClosed else {
                senders[Int(id)] = nil
                continue
            }
            if let transport = peer.transport, transport.isConnected, let socket = peer.socket {
                sender.sendFrame(now: now, scratch: sendScratch, transport: transport, socket: socket)
            }
            wheel.schedule(id, at: tick(for: sender.nextFrameAt))
        }
        due.removeAll(keepingCapacity: true)
        flushBatch()
    }

    /// Hands every datagram waiting on the port to its peer; what they answer goes out with
    /// this tick's batch.
    private func receive() {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let realtime = Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        port.receiveAll(now: Self.now(), realtimeNow: realtime)
    }

    /// Sends the batch queued on the port.
    func flushBatch() {
        guard port.hasPending else { return }
        port.flush()
        totals.packetsSent = port.packetsSent
        totals.bytesSent = port.bytesSent
        totals.sendErrors = port.sendErrors
    }

    private func runHousekeeping() {
        let now = Self.now()
        for peer in peers where now >= peer.nextWakeAt { peer.tick(now: now) }
        for participant in participants { participant.tick(now: now) }
        flushBatch()
    }

    // MARK: - snapshots

    func forEachParticipant(_ body: (SimulatedParticipant) -> Void) {
        for participant in participants { body(participant) }
    }
}

/// One of the media loop's two timers, as a NIO scheduled-callback handler. NIO wants the
/// handler `Sendable`; it holds the loop bound to its event loop (made there, in `start()`),
/// so the conformance is checked and reaching the loop elsewhere would trap. It holds the loop
/// strongly: it is only ever referenced by the one callback it has armed, which the loop does
/// not hold, so this makes no cycle (and a timer still pending at shutdown keeps the loop alive
/// rather than pointing at a freed one).
private final class LoopTimer: NIOScheduledCallbackHandler, Sendable {
    enum Kind { case pacing, housekeeping }
    let loop: NIOLoopBound<MediaLoop>
    let kind: Kind

    /// On the loop.
    init(loop: MediaLoop, kind: Kind) {
        self.loop = NIOLoopBound(loop, eventLoop: loop.eventLoop)
        self.kind = kind
    }

    func handleScheduledCallback(eventLoop: some EventLoop) { loop.value.fire(self) }
}
