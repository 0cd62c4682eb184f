import Foundation
import Logging
import NIOCore
import NIOPosix
import DTLS
import ICE
import RTP

/// One media event loop and everything on it: its rooms, their peer connections and tracks,
/// its router, counters, and its socket on the shared media port (mediasoup's worker model:
/// nothing on the packet path is shared with another thread, so nothing takes a lock). It is
/// not `Sendable`: other threads hold a `MediaShardHandle` and reach it only on its loop.
public final class MediaShard {
    public let index: Int
    let loop: EventLoop
    let context: MediaContext
    let router: MediaRouter
    private(set) var socket: MediaSocket?
    var rooms: [String: Room] = [:]
    /// Peer timers: each peer sits in the wheel's slot of its next visit (every tick while it
    /// connects or publishes video, every 5th for transport-cc feedback, else once a second for
    /// its reports), so a tick visits only the peers that are due instead of every peer. A
    /// peer's id is its index in `ticking`; closed peers give theirs back on their next visit.
    private var wheel = TimingWheel(slotCount: 256)
    private var ticking: [PeerConnection?] = []
    private var freeTickIDs: [Int32] = []
    private var due: [Int32] = []
    /// Sockets connected to the selected addresses of this shard's transports (several shards only).
    private var connected: ConnectedSockets?
    /// The one armed wakeup (`ShardWakePlan`): the tick it is for, `Int64.max` when none is.
    private var timer: NIOScheduledCallback?
    private var armedTick = Int64.max
    /// The last tick handled; tick n is due at `epoch + n * tickInterval`.
    private var tickCount: Int64 = 0
    private var epoch = NIODeadline.now()
    private var nextHousekeepingTick: Int64 = 0
    private var isStopped = false
    /// ICE-TCP connections this shard has told they were selected (so the packet path asks
    /// the link's lock once, not per packet).
    private var selectedTCPLinks: Set<ObjectIdentifier> = []
    /// Room owners above the media layer (the LiveKit room host): does one still hold `name`?
    private var holders: [(String) -> Bool] = []
    /// Where every shard's rooms are placed (forgotten here once no one holds them).
    let placement: RoomPlacement
    static let tickInterval = TimeAmount.milliseconds(10)

    init(index: Int, loop: EventLoop, context: MediaContext, directory: ShardDirectory?, placement: RoomPlacement) {
        self.index = index
        self.loop = loop
        self.context = context
        self.placement = placement
        router = MediaRouter(context: context, directory: directory, shardIndex: index)
        context.router = router
        context.loop = loop
        context.wakePeer = { [unowned self] peer in self.wake(peer) }
        context.wakeForTaps = { [unowned self] in self.arm(self.tickCount + 1) }
    }

    public var eventLoop: EventLoop { loop }

    /// Binds this shard's socket on the media port and starts its timer. Call on `loop`.
    func start(channel: Channel, descriptor: CInt, handler: MediaSocketHandler, candidates: [String], connect: ConnectedSockets.Binding?) {
        loop.preconditionInEventLoop()
        context.localCandidates = candidates
        let socket = MediaSocket(channel: channel, descriptor: descriptor)
        self.socket = socket
        handler.socket = socket
        if let connect {
            let sockets = ConnectedSockets(binding: connect, loop: loop, router: router, socket: socket, logger: context.logger)
            connected = sockets
            router.onAddressRegistered = { sockets.open(to: $0) }
            router.onAddressReleased = { sockets.close(to: $0) }
        }
        epoch = .now()
        tickCount = 0
        nextHousekeepingTick = Self.reportTicks
        arm(nextHousekeepingTick)
    }

    /// Closes every peer and stops the timer. Call on `loop`.
    func stop() {
        loop.preconditionInEventLoop()
        isStopped = true
        timer?.cancel()
        timer = nil
        armedTick = .max
        for room in rooms.values {
            for peer in room.peers.values { peer.close(reason: "server shutting down", now: MediaEngine.now()) }
        }
        socket?.close()
        context.flushTaps()
        connected?.closeAll()
    }

    /// The shard's counters, with its socket's. On the loop.
    var counters: MediaCounters {
        var counters = context.counters
        counters.datagramsDropped = socket?.sendFailures ?? 0
        counters.malformedPackets &+= socket?.receiveFailures ?? 0
        return counters
    }

    /// Flushes what work on the loop queued on the socket.
    func flushSocket() { socket?.flushIfNeeded() }

    /// Registers a room owner the shard asks before it forgets a room's placement. On the loop.
    public func addRoomHolder(_ holds: @escaping (String) -> Bool) {
        loop.preconditionInEventLoop()
        holders.append(holds)
    }

    /// The rooms whose audio tracks carried an RFC 6464 level since the last call, so that
    /// speaker detection visits only rooms where something was heard. Call on the loop.
    public func roomsWithFreshAudioLevels() -> Set<String> {
        loop.preconditionInEventLoop()
        return context.takeLeveledRooms()
    }

    /// Whether the shard still hosts `name`: media peers in it, or an owner above holds it.
    func hosts(_ name: String) -> Bool {
        if let room = rooms[name], !room.isEmpty { return true }
        return holders.contains { $0(name) }
    }

    /// A datagram another shard's socket received for one of our transports.
    func receiveHandedOver(_ envelope: AddressedEnvelope<ByteBuffer>) {
        router.route(envelope, now: MediaEngine.now())
        socket?.flushIfNeeded()
    }

    /// A packet from an ICE-TCP connection whose checks name one of our transports: routed as
    /// a datagram from the connection's remote address, answered down the connection.
    func receiveTCP(_ packet: [UInt8], from address: TransportAddress, link: ICETCPLink) {
        guard let socket else { return }
        if socket.tcpLinks[address] !== link {
            socket.tcpLinks[address]?.close()  // a newer connection from the same address replaces it
            socket.tcpLinks[address] = link
        }
        packet.withUnsafeBytes { router.route($0, from: address, now: MediaEngine.now()) { nil } }
        if router.hasRoute(for: address), selectedTCPLinks.insert(ObjectIdentifier(link)).inserted { link.markSelected() }
        socket.flushIfNeeded()
    }

    /// An ICE-TCP connection closed: nothing more goes down it. (A newer connection from the
    /// same address that replaced it stays.)
    func dropTCPLink(_ link: ICETCPLink, for address: TransportAddress) {
        selectedTCPLinks.remove(ObjectIdentifier(link))
        if socket?.tcpLinks[address] === link { socket?.tcpLinks[address] = nil }
    }

    /// Creates a peer connection in `roomName`. Call on the loop.
    public func makePeerConnection(room roomName: String, observer: PeerConnectionObserver?) throws -> PeerConnection {
        loop.preconditionInEventLoop()
        guard let socket else { throw MediaSessionError.internalError("media socket not bound") }
        let transport = WebRTCTransport(socket: socket, context: context)
        let room = room(named: roomName)
        let peer = PeerConnection(id: RandomIdentifier.make(), transport: transport, room: room, now: MediaEngine.now())
        peer.observer = observer
        room.add(peer)
        router.add(peer)
        startTicking(peer)
        return peer
    }

    func room(named name: String) -> Room {
        if let room = rooms[name] { return room }
        let room = Room(name: name)
        rooms[name] = room
        return room
    }

    /// Ticks between a peer's reports (RTCP SR/RR, layer choice, consent): one second.
    static let reportTicks: Int64 = 100

    private func startTicking(_ peer: PeerConnection) {
        let id = freeTickIDs.popLast() ?? Int32(ticking.count)
        if Int(id) == ticking.count { ticking.append(peer) } else { ticking[Int(id)] = peer }
        peer.tickID = id
        peer.nextReportTick = ShardWakePlan.roundUp(currentTick + Self.reportTicks)
        visitOnNextTick(id)
    }

    private func stopTicking(_ id: Int32) {
        ticking[Int(id)]?.tickID = -1
        ticking[Int(id)] = nil
        wheel.unschedule(id)
        freeTickIDs.append(id)
    }

    /// A peer's cadence got shorter (it published video, or its first transport-cc packet
    /// came): visit it on the next tick, which reschedules it by its new cadence.
    func wake(_ peer: PeerConnection) {
        let id = peer.tickID
        guard id >= 0, Int(id) < ticking.count, ticking[Int(id)] === peer else { return }
        visitOnNextTick(id)
    }

    /// Moves peer `id` to the next tick, and makes sure the loop wakes for it.
    private func visitOnNextTick(_ id: Int32) {
        wheel.reschedule(id, at: tickCount + 1)
        arm(tickCount + 1)
    }

    /// The tick the clock is in now.
    private var currentTick: Int64 {
        ShardWakePlan.tick(atElapsed: (NIODeadline.now() - epoch).nanoseconds, tickNanoseconds: Self.tickInterval.nanoseconds)
    }

    /// Makes sure the loop wakes by `tick`: keeps an armed wakeup that is as early, else
    /// replaces it. On the loop.
    private func arm(_ tick: Int64) {
        guard !isStopped, tick < armedTick else { return }
        timer?.cancel()
        armedTick = tick
        timer = try? loop.assumeIsolated().scheduleCallback(at: epoch + Self.tickInterval * tick, handler: self)
    }

    /// The armed wakeup: handle every tick up to the clock's (slots in between hold nothing,
    /// or the loop was late), then arm the next one the plan asks for.
    fileprivate func wakeUp() {
        timer = nil
        armedTick = .max
        guard !isStopped else { return }
        tick(through: max(tickCount + 1, currentTick))
        // Visits after the housekeeping tick cannot be the next wake: scan the wheel only up to it.
        let firstVisit = wheel.firstScheduledTick(within: Int(nextHousekeepingTick - tickCount))
        arm(ShardWakePlan.nextWake(after: tickCount, firstVisit: firstVisit, housekeeping: nextHousekeepingTick))
    }

    private func tick(through tick: Int64) {
        tickCount = tick
        let now = MediaEngine.now()
        var wallClock: Double?  // only sender reports use it
        wheel.advance(through: tickCount, into: &due)
        for id in due {
            guard let peer = ticking[Int(id)] else { continue }
            if !peer.isClosed {
                let reports = tickCount >= peer.nextReportTick
                if reports {
                    peer.nextReportTick = ShardWakePlan.roundUp(tickCount + Self.reportTicks)
                    if wallClock == nil { wallClock = Date().timeIntervalSince1970 }
                }
                peer.tick(now: now, wallClock: wallClock ?? 0, reports: reports)
            }
            if peer.isClosed {
                stopTicking(id)
            } else {
                wheel.schedule(id, at: ShardWakePlan.nextVisit(after: tickCount, cadence: peer.tickCadence,
                                                               reportTick: peer.nextReportTick))
            }
        }
        due.removeAll(keepingCapacity: true)
        context.flushTaps()
        if tickCount >= nextHousekeepingTick {
            nextHousekeepingTick = tickCount + Self.reportTicks
            rooms = rooms.filter { !$0.value.isEmpty }
            placement.collect(shard: index) { self.hosts($0) }
        }
        socket?.flushIfNeeded()
    }
}

extension MediaShard: NIOScheduledCallbackHandler {
    public func handleScheduledCallback(eventLoop: some EventLoop) { wakeUp() }
}
