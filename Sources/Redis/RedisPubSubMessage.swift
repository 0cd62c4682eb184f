/// A message pushed to a subscribed connection. In RESP2 it is the array
/// `["message", <channel>, <payload>]` ("Format of pushed messages" in
/// https://redis.io/docs/latest/develop/interact/pubsub/); RESP3 sends the same elements as a push.
/// Confirmations (`subscribe`, `unsubscribe`) are not messages: they answer commands in order.
struct RedisPubSubMessage: Sendable, Equatable {
    var channel: String
    var payload: [UInt8]

    init(channel: String, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }

    init?(_ value: RESPValue) {
        guard let elements = value.arrayValue, elements.count == 3,
              case .bulkString(let kind?) = elements[0], kind == Self.messageKind,
              case .bulkString(let channel?) = elements[1],
              case .bulkString(let payload?) = elements[2] else { return nil }
        self.channel = String(decoding: channel, as: UTF8.self)
        self.payload = payload
    }

    private static let messageKind = Array("message".utf8)
}
