import ICE
import NIOCore

/// One accepted ICE-TCP connection (RFC 6544 §3, passive): RFC 4571 frames in, each packet
/// handed to the shard that owns the transport its first STUN check names (by the ufrag in
/// USERNAME, RFC 8445 §7.2.2), where it is routed exactly as a UDP datagram from the
/// connection's remote address would be. The transport answers through `ICETCPLink`.
///
/// A connection whose first packet is not a STUN check for one of our transports, or that ICE
/// has not selected for a transport within `selectionTimeout` (the peer chose another pair,
/// or checks that name no transport of ours), is closed and counted.
final class ICETCPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    static let selectionTimeout = TimeAmount.seconds(10)

    private let shards: [MediaShardHandle]
    private let directory: ShardDirectory?
    private let counters: ICETCPCounters
    private var deframer = RFC4571Deframer()
    private var owner: MediaShardHandle?
    private var link: ICETCPLink?
    private var remote: TransportAddress?
    private var deadline: Scheduled<Void>?
    private var isOpen = false

    init(shards: [MediaShardHandle], directory: ShardDirectory?, counters: ICETCPCounters) {
        self.shards = shards
        self.directory = directory
        self.counters = counters
    }

    func channelActive(context: ChannelHandlerContext) {
        isOpen = true
        counters.opened()
        remote = context.remoteAddress.flatMap(TransportAddress.init)
        link = ICETCPLink(channel: context.channel)
        let channel = context.channel, link = link!
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: Self.selectionTimeout) { [self] in
            guard !link.isSelected else { return }
            counters.refused()
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        if isOpen {
            isOpen = false
            counters.closed()
        }
        if let owner, let remote, let link { owner.execute { $0.dropTCPLink(link, for: remote) } }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        deframer.append(buffer.readableBytesView)
        while let packet = deframer.next() {
            guard deliver(packet) else {
                counters.refused()
                context.close(promise: nil)
                return
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Hands `packet` to its transport's shard; false when the connection is to be refused.
    private func deliver(_ packet: [UInt8]) -> Bool {
        guard let remote, let link else { return false }
        if owner == nil {
            guard let shard = packet.withUnsafeBytes(ownerOfFirstCheck) else { return false }
            owner = shard
        }
        owner?.execute { $0.receiveTCP(packet, from: remote, link: link) }
        return true
    }

    /// The shard whose transport the STUN check in `packet` is for (RFC 8445 §7.2.2: USERNAME
    /// is "<our ufrag>:<theirs>"), or nil if it is not such a check.
    private func ownerOfFirstCheck(_ packet: UnsafeRawBufferPointer) -> MediaShardHandle? {
        guard classifyPacket(packet) == .stun, let message = try? STUNMessage.parse(packet),
              message.method == .binding, message.messageClass == .request,
              let username = message.username, let ufrag = ICELiteAgent.localUfrag(fromUsername: username) else { return nil }
        if shards.count == 1 { return shards[0] }
        guard let directory, let index = directory.shard(address: remote!, ufrag: String(ufrag)), index < shards.count else {
            return nil
        }
        return shards[index]
    }
}
