import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOConcurrencyHelpers
import NIOCore
import SFU
import Signal
import SwiftProtobuf

/// `[redis]`: where rooms are placed and how sessions reach them (issue 10 part 2).
struct ClusterSignalling: Sendable {
    let directory: RoomDirectory
    let relay: SignalRelay
    var registry: NodeRegistry { directory.registry }
}

extension SignalRoutes {
    /// The edge of a relayed session: the participant's WebSocket is here, its room on `node`.
    /// Requests go out as they are read; responses come back on this node's inbox. The ICE
    /// candidates in them are the room node's, so media goes straight there.
    func relay(_ open: RelayFrame.Open, to node: String, relay: SignalRelay, identity: String, json: FrameFormat,
               inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let session = RandomIdentifier.make("RS_")
        let frames = relay.openEdge(session)
        logger.debug("\(identity): session \(session) relayed to node \(node)")
        guard await relay.send(.open(session: session, open), to: node) else {
            relay.closeEdge(session)
            service.joins.failed()
            try await outbound.close(.unexpectedServerError, reason: "the room's node cannot be reached")
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var reason: String?
                for await frame in frames {
                    switch frame {
                    case .response(_, let bytes):
                        if json.isJSON {
                            let response = try Livekit_SignalResponse(serializedBytes: bytes)
                            try await outbound.write(.text(try response.jsonString()))
                        } else {
                            try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                        }
                    case .end(_, let why):
                        reason = why.isEmpty ? nil : why
                    default:
                        break
                    }
                }
                try? await outbound.close(.normalClosure, reason: reason)
            }
            do {
                for try await message in inbound.messages(maxSize: Self.maxFrameSize) {
                    guard let request = decode(message, json: json, identity: identity) else { break }
                    let bytes: [UInt8] = try request.serializedBytes()
                    await relay.send(.request(session: session, bytes: bytes), to: node)
                }
            } catch {
                logger.debug("\(identity): relayed signalling read ended: \(error)")
            }
            await relay.send(.close(session: session), to: node)
            relay.closeEdge(session)
            try await group.waitForAll()
        }
    }

    /// The room side of a relayed session: joins as if the socket were here, and sends every
    /// response back to the edge until the session ends.
    func serveRelayed(_ open: RelayFrame.Open, session key: String, frames: SignalRelay.Frames, relay: SignalRelay) async {
        let edge = open.edge
        let claims: AccessTokenClaims
        let parameters: JoinParameters
        do {
            claims = try await authorize(token: open.token)
            parameters = open.singlePeer ? try Self.singlePeerParameters(query: open.query) : JoinParameters(query: open.query)
        } catch let error as HTTPError {
            await relay.send(.end(session: key, reason: error.body ?? "unauthorized"), to: edge)
            return
        } catch {
            await relay.send(.end(session: key, reason: "\(error)"), to: edge)
            return
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Livekit_SignalResponse.self)
        let sink = SignalSink(continuation)
        let closeReason = NIOLockedValueBox<String?>(nil)
        let writer = Task {
            for await response in stream {
                guard let bytes: [UInt8] = try? response.serializedBytes() else { continue }
                await relay.send(.response(session: key, bytes: bytes), to: edge)
            }
            await relay.send(.end(session: key, reason: closeReason.withLockedValue { $0 } ?? ""), to: edge)
        }
        let session: LiveKitService.Session
        do {
            session = try await service.join(claims: claims, parameters: parameters, sink: sink)
        } catch {
            logger.info("relayed join refused for \(claims.identity): \(error)")
            closeReason.withLockedValue { $0 = "\(error)" }
            continuation.finish()
            await writer.value
            return
        }
        for await frame in frames {
            guard case .request(_, let bytes) = frame else { continue }
            guard let request = try? Livekit_SignalRequest(serializedBytes: bytes) else {
                logger.info("\(claims.identity): malformed relayed SignalRequest, ending the session")
                break
            }
            await service.handle(request, session: session)
        }
        await service.connectionClosed(session, sink: sink)
        continuation.finish()
        await writer.value
    }
}
