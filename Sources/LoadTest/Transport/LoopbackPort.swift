#if canImport(Glibc)
import Glibc
#endif
import CDatagram

/// The load tester's one UDP socket: bound to one port on the loopback device, it carries
/// every simulated peer connection, each under its own address 127.a.b.c (the whole of
/// 127.0.0.0/8 is local on `lo`). A peer per socket would cost the tester an epoll wakeup and
/// a system call per datagram, and the server's sends a socket lookup and a wakeup per
/// datagram on our side; here a batch is one sendmmsg and one recvmmsg of up to 64, datagrams
/// carry their source address in IP_PKTINFO, and arrivals are told apart by the address they
/// were sent to (see CDatagram). Reads are polled from the media loop's 1 ms pacing timer, with
/// the kernel's arrival timestamps, so there is no readiness event per datagram.
///
/// Confined to the media loop.
final class LoopbackPort {
    enum Failure: Error, CustomStringConvertible {
        case open(Int32)
        var description: String {
            switch self {
            case .open(let code): return "cannot open the loopback media socket: \(String(cString: strerror(code)))"
            }
        }
    }

    let descriptor: CInt
    /// The port every peer's address shares (host byte order).
    let port: UInt16
    static let bufferBytes = 8 << 20
    static let slotSize = 2_048
    static let maxBatch = 64

    /// Peers by their address (network byte order), for arrivals.
    private var peers: [UInt32: SimulatedPeer] = [:]

    // The send batch: bytes, and one record per datagram.
    private let batch: UnsafeMutableRawBufferPointer
    private var used = 0
    private var outgoing: UnsafeMutablePointer<cdatagram_addressed>
    private var outgoingCount = 0
    static let maxOutgoing = 1_024

    // The receive batch.
    private let slots: UnsafeMutableRawBufferPointer
    private let incoming: UnsafeMutablePointer<cdatagram_in>

    private(set) var packetsSent: UInt64 = 0
    private(set) var bytesSent: UInt64 = 0
    private(set) var sendErrors: UInt64 = 0
    private(set) var receiveErrors: UInt64 = 0
    /// Datagrams for no peer of ours, or from another address than the peer's server.
    private(set) var strayDatagrams: UInt64 = 0

    init(batchBytes: Int = 1 << 20) throws {
        var bound: UInt16 = 0
        let fd = cdatagram_open_loopback(CInt(Self.bufferBytes), &bound)
        guard fd >= 0 else { throw Failure.open(-fd) }
        descriptor = fd
        port = bound
        batch = .allocate(byteCount: batchBytes, alignment: 16)
        outgoing = .allocate(capacity: Self.maxOutgoing)
        slots = .allocate(byteCount: Self.slotSize * Self.maxBatch, alignment: 16)
        incoming = .allocate(capacity: Self.maxBatch)
    }

    deinit {
        Glibc.close(descriptor)
        batch.deallocate()
        outgoing.deallocate()
        slots.deallocate()
        incoming.deallocate()
    }

    func attach(_ peer: SimulatedPeer, address: UInt32) { peers[address] = peer }
    func detach(address: UInt32) { peers[address] = nil }

    var hasPending: Bool { outgoingCount > 0 }

    /// Queues a copy of `bytes` from `source` to `destination` (addresses in network byte order,
    /// the port in host order); flushes first when the batch is full.
    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer, from source: UInt32, to destination: UInt32, port destinationPort: UInt16) {
        guard bytes.count <= batch.count else { return }
        if outgoingCount == Self.maxOutgoing || batch.count - used < bytes.count { flush() }
        var record = cdatagram_addressed()
        record.offset = UInt32(used)
        record.length = UInt32(bytes.count)
        withUnsafeMutableBytes(of: &record.ip) { ip in withUnsafeBytes(of: destination) { ip.copyMemory(from: $0) } }
        record.port = destinationPort
        record.family = 4
        record.source_ip = source
        outgoing[outgoingCount] = record
        (batch.baseAddress! + used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        used += bytes.count
        outgoingCount += 1
    }

    /// Sends every queued datagram. One the kernel refuses (socket buffer full) is dropped, as
    /// a congested network would, and counted in `sendErrors`.
    func flush() {
        guard outgoingCount > 0 else { return }
        let sent = Int(cdatagram_send_to(descriptor, batch.baseAddress!.assumingMemoryBound(to: UInt8.self), outgoing,
                                      CInt(outgoingCount)))
        packetsSent &+= UInt64(sent)
        bytesSent &+= UInt64(used)  // queued bytes: on a refusal, an estimate
        sendErrors &+= UInt64(outgoingCount - sent)
        outgoingCount = 0
        used = 0
    }

    /// Reads every datagram waiting (at most `limit`) and hands each to its peer. `now` is
    /// the monotonic clock and `realtimeNow` the wall clock read together with it, to turn the
    /// kernel's arrival stamps into monotonic time.
    func receiveAll(now: Double, realtimeNow: Double, limit: Int = 4_096) {
        var handled = 0
        let base = slots.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while handled < limit {
            let count = Int(cdatagram_receive(descriptor, base, CInt(Self.slotSize), incoming, CInt(Self.maxBatch)))
            if count < 0 { receiveErrors &+= 1 }
            guard count > 0 else { return }
            for index in 0..<count {
                let datagram = incoming[index]
                guard datagram.length <= Self.slotSize, let peer = peers[datagram.destination_ip],
                      peer.acceptsDatagram(fromIP: datagram.source_ip, port: datagram.source_port) else {
                    strayDatagrams &+= 1
                    continue
                }
                let arrival = datagram.realtime_ns > 0
                    ? min(now, now - (realtimeNow - Double(datagram.realtime_ns) / 1e9))
                    : now
                peer.datagramReceived(UnsafeRawBufferPointer(start: base + index * Self.slotSize, count: Int(datagram.length)),
                                      arrival: arrival)
            }
            handled += count
            if count < Self.maxBatch { return }
        }
    }

    /// The address of the `index`th peer (0 or more): 127.a.b.c with a ≥ 1 and c in 1...254,
    /// so never 127.0.x.x (where servers listen) and never a .0 or .255 host part.
    static func peerAddress(index: Int) -> (octets: [UInt8], networkOrder: UInt32) {
        let c = UInt8(1 + index % 254)
        let b = UInt8((index / 254) % 256)
        let a = UInt8(1 + (index / (254 * 256)) % 254)
        let octets: [UInt8] = [127, a, b, c]
        let value = octets.withUnsafeBytes { $0.load(as: UInt32.self) }  // memory order = network order
        return (octets, value)
    }
}
