import NIOCore
import ICE

/// Finds the transport a datagram belongs to: by remote address once ICE has selected it,
/// otherwise by the local ufrag in a STUN request's USERNAME (RFC 8445 §7.3). One per media
/// shard; a datagram for a transport of another shard (it reached this shard's socket before
/// the kernel could steer it) is handed over through the `ShardDirectory`.
final class MediaRouter {
    /// Selected addresses, straight to the peer that owns the transport (one lookup a datagram,
    /// and no retain: `owners` holds every such peer, and an address leaves this map whenever
    /// its peer leaves `owners`, in `unregister(_:)`).
    private struct AddressRoute {
        unowned(unsafe) let peer: PeerConnection
    }
    private var byAddress: [TransportAddress: AddressRoute] = [:]
    private var byUfrag: [String: WebRTCTransport] = [:]
    /// Owner of each transport, to hand it decrypted media.
    private var owners: [ObjectIdentifier: PeerConnection] = [:]
    let context: MediaContext
    /// Set when there are several shards: which shard owns an address or ufrag.
    let directory: ShardDirectory?
    let shardIndex: Int
    /// A selected address appeared or went away (the shard keeps a connected socket for each).
    var onAddressRegistered: ((TransportAddress) -> Void)?
    var onAddressReleased: ((TransportAddress) -> Void)?

    init(context: MediaContext, directory: ShardDirectory? = nil, shardIndex: Int = 0) {
        self.context = context
        self.directory = directory
        self.shardIndex = shardIndex
    }

    func add(_ peer: PeerConnection) {
        byUfrag[peer.transport.localUfrag] = peer.transport
        owners[ObjectIdentifier(peer.transport)] = peer
        directory?.assign(ufrag: peer.transport.localUfrag, to: shardIndex)
    }

    func register(_ address: TransportAddress, for transport: WebRTCTransport) {
        // An address moves to the transport that last nominated it.
        guard let peer = owners[ObjectIdentifier(transport)] else { return }
        let isNew = byAddress[address] == nil
        byAddress[address] = AddressRoute(peer: peer)
        directory?.assign(address: address, to: shardIndex)
        if isNew { onAddressRegistered?(address) }
    }

    func renameUfrag(of transport: WebRTCTransport, from old: String, to new: String) {
        if byUfrag[old] === transport {
            byUfrag[old] = nil
            directory?.release(ufrag: old, from: shardIndex)
        }
        byUfrag[new] = transport
        directory?.assign(ufrag: new, to: shardIndex)
    }

    func unregister(address: TransportAddress, of transport: WebRTCTransport) {
        guard byAddress[address]?.peer.transport === transport else { return }
        release(address)
    }

    func unregister(_ transport: WebRTCTransport) {
        if byUfrag[transport.localUfrag] === transport {
            byUfrag[transport.localUfrag] = nil
            directory?.release(ufrag: transport.localUfrag, from: shardIndex)
        }
        for (address, route) in byAddress where route.peer.transport === transport { release(address) }
        owners[ObjectIdentifier(transport)] = nil
    }

    private func release(_ address: TransportAddress) {
        byAddress[address] = nil
        directory?.release(address: address, from: shardIndex)
        onAddressReleased?(address)
    }

    var peerCount: Int { owners.count }

    /// Whether `address` is the selected address of one of our transports.
    func hasRoute(for address: TransportAddress) -> Bool { byAddress[address] != nil }

    /// A datagram NIO read (the first of a wakeup, or one handed over from another shard).
    func route(_ envelope: AddressedEnvelope<ByteBuffer>, now: Double) {
        guard let address = TransportAddress(envelope.remoteAddress) else { return }
        envelope.data.withUnsafeReadableBytes { bytes in
            route(bytes, from: address, now: now) { envelope }
        }
    }

    /// A datagram from `address`. `envelope` makes NIO's form of it, only needed when the
    /// datagram belongs to another shard's transport.
    func route(_ bytes: UnsafeRawBufferPointer, from address: TransportAddress, now: Double,
               envelope: () -> AddressedEnvelope<ByteBuffer>?) {
        if let route = byAddress[address] {
            route.peer.receive(bytes, from: address, now: now)
            return
        }
        var ufrag: Substring?
        if classifyPacket(bytes) == .stun, let message = try? STUNMessage.parse(bytes), let username = message.username {
            ufrag = ICELiteAgent.localUfrag(fromUsername: username)
        }
        guard let ufrag, let transport = byUfrag[String(ufrag)], let peer = owners[ObjectIdentifier(transport)] else {
            if let directory, let envelope = envelope(),
               directory.handOver(envelope, address: address, ufrag: ufrag.map(String.init), from: shardIndex) {
                context.counters.shardHandovers += 1
                return
            }
            context.counters.unroutablePackets += 1
            return
        }
        peer.receive(bytes, from: address, now: now)
    }
}
