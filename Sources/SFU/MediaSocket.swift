import NIOCore
import ICE

/// The one UDP socket all media shares (RFC 7983 multiplexing). Lives on the media event loop.
/// Writes are queued and flushed once per received datagram or timer tick, so a fan-out goes
/// out in one batch (NIO hands pending datagram writes to sendmmsg).
final class MediaSocket {
    let channel: Channel
    let allocator: ByteBufferAllocator
    private var pendingFlush = false
    /// Scratch space for building and protecting one outgoing packet (plaintext + SRTP trailer).
    let scratch: UnsafeMutableRawBufferPointer
    /// Where a received SRTP/SRTCP packet is copied and decrypted in place (the datagram's own
    /// buffer is still referenced by NIO, so decrypting there would copy it on write: an
    /// allocation per packet). Valid until the next datagram is handled.
    let receiveScratch: UnsafeMutableRawBufferPointer
    static let scratchSize = 2048

    init(channel: Channel) {
        self.channel = channel
        self.allocator = channel.allocator
        self.scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.scratchSize, alignment: 16)
        self.receiveScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.scratchSize, alignment: 16)
    }

    deinit {
        scratch.deallocate()
        receiveScratch.deallocate()
    }

    func send(_ bytes: [UInt8], to address: SocketAddress) {
        send(allocator.buffer(bytes: bytes), to: address)
    }

    /// Datagram buffers handed to the channel in this batch, and those of earlier batches that
    /// can be written again. Once NIO has sent a datagram it drops its reference, so the buffer
    /// is uniquely ours and `clear()` + write reuse its storage: no allocation per copy in
    /// steady state. A buffer NIO still holds (a write that waited for the socket) is copied on
    /// write instead, which is correct, only slower.
    private var inFlight: [ByteBuffer] = []
    private var reusable: [ByteBuffer] = []
    static let maxReusable = 4096

    /// Sends `length` bytes of `scratch`.
    func sendScratch(length: Int, to address: SocketAddress) {
        var buffer = reusable.popLast() ?? allocator.buffer(capacity: Self.scratchSize)
        buffer.clear()
        buffer.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
        inFlight.append(buffer)
        send(buffer, to: address)
    }

    func send(_ buffer: ByteBuffer, to address: SocketAddress) {
        channel.write(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
        pendingFlush = true
    }

    private var flushScheduled = false

    /// Flushes once the event loop has handled every socket that is readable now: a shard
    /// reads its shared socket and its connected sockets in one loop iteration, and what all
    /// of them made the fan-out queue leaves in one sendmmsg (one scheduled task per
    /// iteration, not per datagram).
    func scheduleFlush() {
        guard pendingFlush, !flushScheduled else { return }
        flushScheduled = true
        channel.eventLoop.execute {
            self.flushScheduled = false
            self.flushIfNeeded()
        }
    }

    func flushIfNeeded() {
        if pendingFlush {
            pendingFlush = false
            channel.flush()
        }
        guard !inFlight.isEmpty else { return }
        let room = Self.maxReusable - reusable.count
        if room > 0 { reusable.append(contentsOf: inFlight.prefix(room)) }
        inFlight.removeAll(keepingCapacity: true)
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
