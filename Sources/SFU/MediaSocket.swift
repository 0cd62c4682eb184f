import CDatagram
import NIOCore
import ICE

/// The one UDP socket all media shares (RFC 7983 multiplexing). Lives on the media event loop.
/// NIO tells us it is readable and reads one datagram (`MediaSocketHandler`); the rest of what
/// is waiting is read here (`drain`) in recvmmsg batches of 64 into our own slots, without
/// NIO's envelope, address object and pipeline pass per datagram. Sends skip NIO's write
/// pipeline too: every
/// datagram queued during one loop pass (a fan-out, the STUN and DTLS answers) is copied into
/// one batch buffer with its destination and leaves in sendmmsg calls of up to 64 when the
/// pass ends (`scheduleFlush`) or the timer tick does. No allocation, envelope or promise per
/// datagram. Without a descriptor (tests and benchmarks over an `EmbeddedChannel`) the batch is
/// written to the channel instead, datagram by datagram.
final class MediaSocket {
    let channel: Channel
    /// The socket NIO reads, which we write; nil: write through `channel`.
    private let descriptor: CInt?
    /// Scratch space for building and protecting one outgoing packet (plaintext + SRTP trailer).
    let scratch: UnsafeMutableRawBufferPointer
    /// Where a received SRTP/SRTCP packet is copied and decrypted in place (the datagram's own
    /// buffer is still referenced by NIO, so decrypting there would copy it on write: an
    /// allocation per packet). Valid until the next datagram is handled.
    let receiveScratch: UnsafeMutableRawBufferPointer
    static let scratchSize = 2048

    /// The batch: datagram bytes back to back, and a record (offset, length, destination) each.
    private let batch: UnsafeMutableRawBufferPointer
    private var used = 0
    private let records: UnsafeMutablePointer<cdatagram_addressed>
    private var count = 0
    static let batchBytes = 512 << 10
    static let maxBatchDatagrams = 2_048
    /// Set once the shard stops: the descriptor is about to be closed (and its number reused).
    private var isClosed = false
    private var flushScheduled = false

    /// Datagrams the kernel refused (full send buffer, unreachable address); read by the shard.
    private(set) var sendFailures: UInt64 = 0

    /// ICE-TCP connections (RFC 6544) by their remote address: a packet for one of these
    /// addresses goes down that connection, framed, instead of into the UDP batch. Empty on
    /// a shard with no TCP peer, which costs the packet path one check.
    var tcpLinks: [TransportAddress: ICETCPLink] = [:]

    /// Receive slots for `drain`, and a record per slot.
    private let slots: UnsafeMutableRawBufferPointer
    private let received: UnsafeMutablePointer<cdatagram_addressed>
    static let slotSize = 2048
    static let receiveBatch = 64
    /// At most this many datagrams a wakeup, so that timers and other sockets get their turn.
    static let maxDrain = 512
    /// Wakeups left whose drain is skipped: a drain that found nothing costs a system call, and
    /// on a quiet socket NIO's one read per wakeup is all there is.
    private var skippedDrains = 0
    static let drainsSkippedWhenIdle = 3
    private(set) var receiveFailures: UInt64 = 0

    init(channel: Channel, descriptor: CInt? = nil) {
        self.channel = channel
        self.descriptor = descriptor
        self.scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.scratchSize, alignment: 16)
        self.receiveScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.scratchSize, alignment: 16)
        batch = .allocate(byteCount: Self.batchBytes, alignment: 16)
        records = .allocate(capacity: Self.maxBatchDatagrams)
        slots = .allocate(byteCount: Self.slotSize * Self.receiveBatch, alignment: 16)
        received = .allocate(capacity: Self.receiveBatch)
    }

    deinit {
        scratch.deallocate()
        receiveScratch.deallocate()
        batch.deallocate()
        records.deallocate()
        slots.deallocate()
        received.deallocate()
    }

    /// Reads what is still waiting after NIO's read and routes it, batch by batch.
    func drain(into router: MediaRouter) {
        guard let descriptor, !isClosed else { return }
        if skippedDrains > 0 {
            skippedDrains -= 1
            return
        }
        let base = slots.baseAddress!
        var total = 0
        while total < Self.maxDrain {
            let count = Int(cdatagram_receive_from(descriptor, base.assumingMemoryBound(to: UInt8.self), CInt(Self.slotSize),
                                                   received, CInt(Self.receiveBatch)))
            if count < 0 { receiveFailures &+= 1 }
            guard count > 0 else { break }
            let now = MediaEngine.now()
            for index in 0..<count {
                let record = received[index]
                guard Int(record.length) <= Self.slotSize else {
                    receiveFailures &+= 1  // truncated: larger than any datagram WebRTC sends
                    continue
                }
                let bytes = UnsafeRawBufferPointer(start: base + Int(record.offset), count: Int(record.length))
                let address = Self.transportAddress(of: record)
                router.route(bytes, from: address, now: now) {
                    guard let remote = try? SocketAddress(address) else { return nil }
                    return AddressedEnvelope(remoteAddress: remote, data: self.channel.allocator.buffer(bytes: bytes))
                }
            }
            total += count
            if count < Self.receiveBatch { break }
        }
        if total == 0 { skippedDrains = Self.drainsSkippedWhenIdle }
    }

    func send(_ bytes: [UInt8], to address: TransportAddress) {
        bytes.withUnsafeBytes { enqueue($0, to: address) }
    }

    /// Sends `length` bytes of `scratch`.
    func sendScratch(length: Int, to address: TransportAddress) {
        enqueue(UnsafeRawBufferPointer(rebasing: scratch[0..<length]), to: address)
    }

    private func enqueue(_ bytes: UnsafeRawBufferPointer, to address: TransportAddress) {
        guard !isClosed, bytes.count <= Self.batchBytes else { return }
        if !tcpLinks.isEmpty, let link = tcpLinks[address] {
            if !link.send(bytes) { sendFailures += 1 }
            return
        }
        if count == Self.maxBatchDatagrams || Self.batchBytes - used < bytes.count { flushIfNeeded() }
        let packed = address.packedBytes
        var record = cdatagram_addressed()
        record.offset = UInt32(used)
        record.length = UInt32(bytes.count)
        withUnsafeMutableBytes(of: &record.ip) { ip in withUnsafeBytes(of: packed.bytes) { ip.copyMemory(from: $0) } }
        record.port = address.port
        record.family = packed.count == 16 ? 6 : 4
        records[count] = record
        if let base = bytes.baseAddress { (batch.baseAddress! + used).copyMemory(from: base, byteCount: bytes.count) }
        used += bytes.count
        count += 1
    }

    /// Flushes once the event loop has handled every socket that is readable now: a shard
    /// reads its shared socket and its connected sockets in one loop iteration, and what all
    /// of them made the fan-out queue leaves in one batch (one scheduled task per iteration,
    /// not per datagram).
    func scheduleFlush() {
        guard count > 0, !flushScheduled else { return }
        flushScheduled = true
        channel.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.flushIfNeeded()
        }
    }

    func flushIfNeeded() {
        guard count > 0 else { return }
        defer {
            count = 0
            used = 0
        }
        guard !isClosed else { return }
        if let descriptor {
            let sent = Int(cdatagram_send_to(descriptor, batch.baseAddress!.assumingMemoryBound(to: UInt8.self), records, CInt(count)))
            sendFailures &+= UInt64(count - sent)
            return
        }
        for index in 0..<count {
            let record = records[index]
            let bytes = UnsafeRawBufferPointer(start: batch.baseAddress! + Int(record.offset), count: Int(record.length))
            guard let address = try? SocketAddress(Self.transportAddress(of: record)) else {
                sendFailures &+= 1
                continue
            }
            channel.write(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes)), promise: nil)
        }
        channel.flush()
    }

    /// Sends what is queued, then refuses everything: the descriptor is closed next.
    func close() {
        flushIfNeeded()
        isClosed = true
    }

    private static func transportAddress(of record: cdatagram_addressed) -> TransportAddress {
        withUnsafeBytes(of: record.ip) { TransportAddress(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<(record.family == 6 ? 16 : 4)]), port: record.port) }
    }
}

extension SocketAddress {
    /// NIO's address value from ours.
    init(_ address: TransportAddress) throws {
        self = try SocketAddress(ipAddress: address.ipString, port: Int(address.port))
    }
}

extension TransportAddress {
    /// Our address value from NIO's; nil for unix sockets.
    init?(_ address: SocketAddress) {
        guard let port = address.port else { return nil }
        switch address {
        case .v4(let v4):
            let raw = v4.address.sin_addr.s_addr  // network byte order
            self = withUnsafeBytes(of: raw) { TransportAddress(bytes: $0, port: UInt16(port)) }
        case .v6(let v6):
            let raw = v6.address.sin6_addr
            self = withUnsafeBytes(of: raw) { TransportAddress(bytes: $0, port: UInt16(port)) }
        default:
            return nil
        }
    }
}
