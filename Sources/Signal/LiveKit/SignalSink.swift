/// Where a participant's signal responses go: the WebSocket writer of its current
/// connection. Thread-safe (an AsyncStream continuation); a resume swaps in a new sink.
public final class SignalSink: Sendable {
    let continuation: AsyncStream<Livekit_SignalResponse>.Continuation

    public init(_ continuation: AsyncStream<Livekit_SignalResponse>.Continuation) {
        self.continuation = continuation
    }

    func send(_ message: Livekit_SignalResponse.OneOf_Message) {
        var response = Livekit_SignalResponse()
        response.message = message
        continuation.yield(response)
    }

    /// Ends the stream: the writer closes the WebSocket after what was queued.
    func finish() { continuation.finish() }
}
