import NIOCore
import ICE

/// Finds the transport a datagram belongs to: by remote address once ICE has selected it,
/// otherwise by the local ufrag in a STUN request's USERNAME (RFC 8445 §7.3).
final class MediaRouter {
    private var byAddress: [TransportAddress: WebRTCTransport] = [:]
    private var byUfrag: [String: WebRTCTransport] = [:]
    /// Owner of each transport, to hand it decrypted media.
    private var owners: [ObjectIdentifier: PeerConnection] = [:]
    let context: MediaContext

    init(context: MediaContext) { self.context = context }

    func add(_ peer: PeerConnection) {
        byUfrag[peer.transport.localUfrag] = peer.transport
        owners[ObjectIdentifier(peer.transport)] = peer
    }

    func register(_ address: TransportAddress, for transport: WebRTCTransport) {
        // An address moves to the transport that last nominated it.
        byAddress[address] = transport
    }

    func renameUfrag(of transport: WebRTCTransport, from old: String, to new: String) {
        if byUfrag[old] === transport { byUfrag[old] = nil }
        byUfrag[new] = transport
    }

    func unregister(address: TransportAddress, of transport: WebRTCTransport) {
        if byAddress[address] === transport { byAddress[address] = nil }
    }

    func unregister(_ transport: WebRTCTransport) {
        byUfrag[transport.localUfrag] = nil
        for (address, t) in byAddress where t === transport { byAddress[address] = nil }
        owners[ObjectIdentifier(transport)] = nil
    }

    var peerCount: Int { owners.count }

    func route(_ envelope: AddressedEnvelope<ByteBuffer>, now: Double) {
        guard let address = TransportAddress(envelope.remoteAddress) else { return }
        var buffer = envelope.data
        var transport = byAddress[address]
        if transport == nil {
            transport = buffer.withUnsafeReadableBytes { bytes -> WebRTCTransport? in
                guard classifyPacket(bytes) == .stun,
                      let message = try? STUNMessage.parse(bytes),
                      let username = message.username,
                      let ufrag = ICELiteAgent.localUfrag(fromUsername: username) else { return nil }
                return byUfrag[String(ufrag)]
            }
        }
        guard let transport, let peer = owners[ObjectIdentifier(transport)] else {
            context.counters.unroutablePackets += 1
            return
        }
        peer.receive(&buffer, from: envelope.remoteAddress, transportAddress: address, now: now)
    }
}
