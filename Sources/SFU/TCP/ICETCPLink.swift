import NIOConcurrencyHelpers
import NIOCore

/// One accepted ICE-TCP connection (RFC 6544, passive side), as the shard that owns its
/// transport sees it: where that transport's packets go once ICE selected this connection.
/// Writing is thread-safe (NIO hops to the connection's loop), so the owning shard may be
/// another loop than the connection's.
final class ICETCPLink: Sendable {
    let channel: Channel
    private let selected = NIOLockedValueBox(false)

    init(channel: Channel) { self.channel = channel }

    /// Set by the owning shard once ICE selected this connection for a transport; a
    /// connection never selected is closed at the first-check deadline.
    func markSelected() { selected.withLockedValue { $0 = true } }
    var isSelected: Bool { selected.withLockedValue { $0 } }

    /// Sends one packet, framed (RFC 4571). Oversized packets cannot be framed and are dropped.
    func send(_ packet: UnsafeRawBufferPointer) -> Bool {
        guard let framed = RFC4571Deframer.frame(packet) else { return false }
        channel.writeAndFlush(ByteBuffer(bytes: framed), promise: nil)
        return true
    }

    func close() { channel.close(promise: nil) }
}
