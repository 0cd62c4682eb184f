import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import Signal

/// `/agent`: the WebSocket agent workers (`livekit-agents`) register on (PROTOCOL.md §10).
/// Binary `WorkerMessage` in, `ServerMessage` out; the token needs `video.agent`.
struct AgentRoutes: Sendable {
    let service: LiveKitService
    let verifier: AccessTokenVerifier
    let logger: Logger

    func register(on router: Router<SignallingRequestContext>) {
        router.ws("agent", shouldUpgrade: { request, context in
            try await context.checkingUpgrade { _ = try await authorize(request) }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, _ in
            try await serve(inbound: inbound, outbound: outbound)
        })
    }

    private func authorize(_ request: Request) async throws -> AccessTokenClaims {
        guard let token = SignalRoutes.token(request) else { throw HTTPError(.unauthorized, message: "no access token") }
        do throws(TokenError) {
            let claims = try await verifier.verify(token)
            guard claims.video?.agent == true else { throw TokenError.forbidden("permissions denied: agent grant required") }
            return claims
        } catch {
            throw HTTPError(HTTPResponse.Status(tokenStatus: error.status), message: error.reason)
        }
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        var messages = inbound.messages(maxSize: SignalRoutes.maxFrameSize).makeAsyncIterator()
        // The first message must be the registration.
        guard case .binary(let first)? = try await messages.next(),
              let registration = try? Livekit_WorkerMessage(serializedBytes: Array(first.readableBytesView)),
              case .register(let register)? = registration.message else {
            logger.info("agent worker did not register first; closing")
            try await outbound.close(.protocolError, reason: "expected RegisterWorkerRequest")
            return
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Livekit_ServerMessage.self)
        let connection = WorkerConnection(agentName: register.agentName, continuation: continuation)
        guard let worker = await service.registerWorker(register, connection: connection) else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in stream {
                    let bytes: [UInt8] = try message.serializedBytes()
                    try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                }
            }
            do {
                while let message = try await messages.next() {
                    guard case .binary(let buffer) = message else { continue }
                    guard let decoded = try? Livekit_WorkerMessage(serializedBytes: Array(buffer.readableBytesView)) else {
                        logger.info("agent worker \(worker): malformed WorkerMessage, closing")
                        break
                    }
                    await service.workerMessage(decoded, from: worker)
                }
            } catch {
                logger.debug("agent worker \(worker): read ended: \(error)")
            }
            await service.workerDisconnected(worker)
            continuation.finish()
            try await group.waitForAll()
        }
    }
}
