import NIOConcurrencyHelpers
import NIOCore
import ICE

/// Which media shard owns each ICE ufrag and selected remote address, for the datagrams that
/// reach a shard other than their transport's. All shards bind the one media port
/// (SO_REUSEPORT), so the kernel spreads unconnected traffic over them by a hash of the
/// 4-tuple. Once ICE selects an address its shard connects a socket to it and the kernel
/// delivers that peer's datagrams there (a connected UDP socket outranks the reuseport
/// group), so only the first STUN checks, and a DTLS packet racing the connect, come this way.
///
/// Written per transport and per ICE selection, read per misrouted datagram; never on the
/// steady packet path, which is why a lock is fine here.
final class ShardDirectory: Sendable {
    private struct State {
        var addresses: [TransportAddress: Int] = [:]
        var ufrags: [String: Int] = [:]
        /// Per shard: runs a handed-over datagram on that shard's loop. Set before media starts.
        var deliver: [@Sendable (AddressedEnvelope<ByteBuffer>) -> Void] = []
    }
    private let state = NIOLockedValueBox(State())

    init() {}

    func setDelivery(_ deliver: [@Sendable (AddressedEnvelope<ByteBuffer>) -> Void]) {
        state.withLockedValue { $0.deliver = deliver }
    }

    func assign(ufrag: String, to shard: Int) { state.withLockedValue { $0.ufrags[ufrag] = shard } }

    func release(ufrag: String, from shard: Int) {
        state.withLockedValue { if $0.ufrags[ufrag] == shard { $0.ufrags[ufrag] = nil } }
    }

    func assign(address: TransportAddress, to shard: Int) { state.withLockedValue { $0.addresses[address] = shard } }

    func release(address: TransportAddress, from shard: Int) {
        state.withLockedValue { if $0.addresses[address] == shard { $0.addresses[address] = nil } }
    }

    func shard(address: TransportAddress, ufrag: String?) -> Int? {
        state.withLockedValue { Self.owner(in: $0, address: address, ufrag: ufrag) }
    }

    /// The shard that owns `address`, else the one that owns `ufrag`.
    private static func owner(in state: State, address: TransportAddress, ufrag: String?) -> Int? {
        state.addresses[address] ?? ufrag.flatMap { state.ufrags[$0] }
    }

    /// Hands `envelope` to the shard that owns its address or ufrag; false if none other does.
    func handOver(_ envelope: AddressedEnvelope<ByteBuffer>, address: TransportAddress, ufrag: String?, from shard: Int) -> Bool {
        let deliver: (@Sendable (AddressedEnvelope<ByteBuffer>) -> Void)? = state.withLockedValue { state in
            guard let owner = Self.owner(in: state, address: address, ufrag: ufrag), owner != shard, owner < state.deliver.count else { return nil }
            return state.deliver[owner]
        }
        guard let deliver else { return false }
        deliver(envelope)
        return true
    }
}
