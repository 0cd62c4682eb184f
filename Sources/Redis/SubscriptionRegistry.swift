/// Who listens to which pub/sub channel, without I/O. A channel is subscribed on the server while
/// it has at least one sink: the first sink asks for `SUBSCRIBE`, the last one leaving for
/// `UNSUBSCRIBE`, and after a reconnect every channel listed here is subscribed again.
struct SubscriptionRegistry<Sink> {
    private var sinksByChannel: [String: [(id: UInt64, sink: Sink)]] = [:]
    private var nextID: UInt64 = 0

    /// Channels with at least one sink, sorted (the order re-subscription sends them in).
    var channels: [String] { sinksByChannel.keys.sorted() }

    /// Adds a sink. `isFirst`: the channel had none, so the server must be asked to subscribe.
    mutating func add(_ sink: Sink, to channel: String) -> (id: UInt64, isFirst: Bool) {
        let id = nextID
        nextID &+= 1
        let isFirst = sinksByChannel[channel] == nil
        sinksByChannel[channel, default: []].append((id, sink))
        return (id, isFirst)
    }

    /// Removes one sink. True when it was the channel's last one (time to unsubscribe); false if
    /// others remain or it was not there.
    mutating func remove(id: UInt64, from channel: String) -> Bool {
        guard var sinks = sinksByChannel[channel], let index = sinks.firstIndex(where: { $0.id == id }) else { return false }
        sinks.remove(at: index)
        sinksByChannel[channel] = sinks.isEmpty ? nil : sinks
        return sinks.isEmpty
    }

    /// Removes every sink of `channel` and returns them (to finish them).
    mutating func removeChannel(_ channel: String) -> [Sink] {
        sinksByChannel.removeValue(forKey: channel)?.map(\.sink) ?? []
    }

    /// Removes every sink of every channel.
    mutating func removeAll() -> [Sink] {
        let all = sinksByChannel.values.flatMap { $0.map(\.sink) }
        sinksByChannel.removeAll()
        return all
    }

    /// Where a message on `channel` goes.
    func sinks(for channel: String) -> [Sink] {
        sinksByChannel[channel]?.map(\.sink) ?? []
    }
}

extension SubscriptionRegistry: Sendable where Sink: Sendable {}
