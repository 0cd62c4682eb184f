import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection to Redis: the channel with its pipeline (`RESPValueDecoderHandler`, then
/// `RedisCommandHandler`), ready for commands once `connect` has done the handshake (`AUTH`,
/// `SELECT`). It does not reconnect; `ReconnectingRedisConnection` replaces it when it closes.
final class RedisConnection: Sendable {
    let channel: Channel
    private let flushScheduled: NIOLoopBoundBox<Bool>

    var eventLoop: EventLoop { channel.eventLoop }
    var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    private init(channel: Channel) {
        self.channel = channel
        flushScheduled = .makeBoxSendingValue(false, eventLoop: channel.eventLoop)
    }

    /// Connects on `eventLoop` and runs the handshake; the future fails with the reason if either
    /// fails (and the channel is closed).
    static func connect(
        configuration: RedisConfiguration, eventLoop: EventLoop, logger: Logger,
        onMessage: (@Sendable (RedisPubSubMessage) -> Void)? = nil
    ) -> EventLoopFuture<RedisConnection> {
        let tls: NIOSSLContext?
        do {
            tls = try configuration.tls.map(Self.tlsContext)
        } catch {
            return eventLoop.makeFailedFuture(RedisError.tls("\(error)"))
        }
        let serverName = configuration.tls.map { $0.serverName ?? configuration.host }
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(.interval(configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // SNI takes names only; an IP address is still checked against the
                        // certificate's IP subjectAltNames (NIOSSL validates the peer address).
                        let isAddress = serverName.map { (try? SocketAddress(ipAddress: $0, port: 0)) != nil } ?? true
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : serverName))
                    }
                    try channel.pipeline.syncOperations.addHandlers(
                        RESPValueDecoderHandler(), RedisCommandHandler(logger: logger, onMessage: onMessage))
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .flatMap { channel in
                let connection = RedisConnection(channel: channel)
                return connection.handshake(configuration).map { connection }.flatMapError { error in
                    channel.close(promise: nil)
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
    }

    /// A client context that verifies the server (full verification: chain and name).
    static func tlsContext(_ settings: RedisTLS) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let file = settings.caFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// `AUTH` (https://redis.io/docs/latest/commands/auth/) and `SELECT`, pipelined; both must answer OK.
    private func handshake(_ configuration: RedisConfiguration) -> EventLoopFuture<Void> {
        let deadline = NIODeadline.after(seconds: configuration.connectTimeout)
        var steps: [EventLoopFuture<RESPValue>] = []
        if let password = configuration.password {
            var arguments = [Array("AUTH".utf8)]
            if let username = configuration.username { arguments.append(Array(username.utf8)) }
            arguments.append(Array(password.utf8))
            steps.append(send(arguments, deadline: deadline))
        }
        if configuration.tls != nil, steps.isEmpty {
            // A reply can only come once the TLS handshake is done: a certificate the client
            // refuses fails the connect instead of closing a connection already reported up.
            steps.append(send([Array("PING".utf8)], deadline: deadline))
        }
        if configuration.database != 0 {
            steps.append(send([Array("SELECT".utf8), Array(String(configuration.database).utf8)], deadline: deadline))
        }
        return EventLoopFuture.whenAllSucceed(steps, on: eventLoop).map { _ in }
    }

    /// Sends a command; the future completes with its reply or its error.
    func send(_ arguments: [[UInt8]], deadline: NIODeadline) -> EventLoopFuture<RESPValue> {
        let promise = eventLoop.makePromise(of: RESPValue.self)
        send(RedisCommand(arguments: arguments, promise: promise, deadline: deadline))
        return promise.futureResult
    }

    /// Writes now and flushes once at the end of this loop turn, so that commands sent together
    /// leave in one write.
    func send(_ command: RedisCommand) {
        guard eventLoop.inEventLoop else {
            eventLoop.execute { self.send(command) }
            return
        }
        let promise = command.promise
        let written = eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in promise.fail(RedisError.connectionClosed) }
        channel.write(command, promise: written)
        guard !flushScheduled.value else { return }
        flushScheduled.value = true
        eventLoop.execute {
            self.flushScheduled.value = false
            self.channel.flush()
        }
    }

    func close() {
        channel.close(promise: nil)
    }
}
