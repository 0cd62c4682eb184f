import Foundation
import Logging
import NIOCore
import NIOPosix
import ICE

/// A UDP socket on the media port connected to each selected remote address of a shard's
/// transports. With several shards the port is bound once per shard (SO_REUSEPORT) and the
/// kernel would spread a peer's datagrams by a hash of the 4-tuple, whatever shard its room
/// lives on; a connected socket matching the full 4-tuple outranks the reuseport group (Linux
/// `udp4_lib_lookup2` scores it higher, and the group's hash skips connected members), so
/// after ICE selection every datagram of the peer arrives on its own shard's loop. Sending
/// still goes through the shard's unconnected socket, which batches a fan-out into one
/// sendmmsg; the connected socket only receives.
///
/// Confined to the shard's loop.
final class ConnectedSockets {
    struct Binding: Sendable {
        let host: String
        let port: Int
    }

    private let binding: Binding
    private let loop: EventLoop
    private let router: MediaRouter
    private let socket: MediaSocket
    private let logger: Logger
    /// Open (or opening) sockets by remote address.
    private var channels: [TransportAddress: EventLoopFuture<Channel>] = [:]

    init(binding: Binding, loop: EventLoop, router: MediaRouter, socket: MediaSocket, logger: Logger) {
        self.binding = binding
        self.loop = loop
        self.router = router
        self.socket = socket
        self.logger = logger
    }

    var count: Int { channels.count }

    func open(to address: TransportAddress) {
        guard channels[address] == nil, let remote = try? SocketAddress(ipAddress: address.ipString, port: Int(address.port)) else { return }
        let handler = MediaSocketHandler(router: router)
        handler.socket = socket
        let bound = NIOLoopBound(handler, eventLoop: loop)
        let future = DatagramBootstrap(group: loop)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .channelOption(ChannelOptions.socketOption(.reusePort), value: 1)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(bound.value) }
            }
            .bind(host: binding.host, port: binding.port)
            .flatMap { channel in
                channel.connect(to: remote).map { channel }.flatMapError { error in
                    channel.close(promise: nil)
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        channels[address] = future
        future.assumeIsolated().whenFailure { [weak self] (error: Error) in
            // Datagrams keep arriving through the shared sockets (handed over): slower, not lost.
            self?.logger.warning("media: cannot connect a socket to \(address.ipString):\(address.port): \(error)")
            if let self, self.channels[address] === future { self.channels[address] = nil }
        }
    }

    func close(to address: TransportAddress) {
        guard let future = channels.removeValue(forKey: address) else { return }
        future.whenSuccess { $0.close(promise: nil) }
    }

    func closeAll() {
        for address in Array(channels.keys) { close(to: address) }
    }
}

extension NIOBSDSocket.Option {
    /// SO_REUSEPORT (Linux 3.9+): several sockets bound to one port.
    static let reusePort = NIOBSDSocket.Option(rawValue: SO_REUSEPORT)
}
