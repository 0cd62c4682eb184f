/// An agent worker's `/agent` socket: where its `ServerMessage`s go. Thread-safe.
public final class WorkerConnection: Sendable {
    let continuation: AsyncStream<Livekit_ServerMessage>.Continuation
    let agentName: String

    public init(agentName: String, continuation: AsyncStream<Livekit_ServerMessage>.Continuation) {
        self.agentName = agentName
        self.continuation = continuation
    }

    func send(_ message: Livekit_ServerMessage.OneOf_Message) {
        var wrapped = Livekit_ServerMessage()
        wrapped.message = message
        continuation.yield(wrapped)
    }
}
