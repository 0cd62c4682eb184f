import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import Signal
import SwiftProtobuf

/// A participant's `/rtc` WebSocket, as the SDKs open it (PROTOCOL.md §1): the SDK query
/// string, the token as `Authorization: Bearer`, binary protobuf frames. Each server message
/// is handed to the participant on the media loop; what it answers, and what its timers queue
/// (pings, the final leave), goes out through one writer.
enum SignalConnection {
    /// The query string a Go SDK (what `lk load-test` runs) sends, dual PC.
    static func query(autoSubscribe: Bool) -> String {
        "sdk=go&version=2.9.0&protocol=16&auto_subscribe=\(autoSubscribe ? 1 : 0)&adaptive_stream=0"
    }

    /// Runs until the server or our leave closes the socket.
    static func run(participant: SimulatedParticipantHandle, target: LoopbackTarget, token: String,
                    group: EventLoopGroup, logger: Logger) async {
        let (outgoing, outbox) = AsyncStream.makeStream(of: Livekit_SignalRequest.self)
        participant.execute { $0.attach(outbox: outbox) }
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        let url = "\(target.webSocketBase)/rtc?\(query(autoSubscribe: participant.plan.subscribes))"
        let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20, additionalHeaders: headers)
        do {
            try await WebSocketClient.connect(url: url, configuration: configuration, eventLoopGroup: group,
                                              logger: logger) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask {
                        for await request in outgoing {
                            let bytes: [UInt8] = try request.serializedBytes()
                            try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                        }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .binary(let buffer) = message,
                              let response = try? Livekit_SignalResponse(serializedBytes: Array(buffer.readableBytesView)) else { continue }
                        let replies = try await participant.submit { $0.handle(response) }.get()
                        for reply in replies { outbox.yield(reply) }
                    }
                    outbox.finish()
                    try await tasks.waitForAll()
                }
            }
            // Without our leave, a closed socket means the server dropped us.
            participant.execute { $0.signallingFailed("connection closed by the server") }
        } catch {
            outbox.finish()
            participant.execute { $0.signallingFailed("\(error)") }
        }
    }
}
