/// The commands the SFU's multi-node state needs, with their replies typed. Anything else goes
/// through `send`. Reply types follow each command's page on https://redis.io/docs/latest/commands/.
extension RedisClient {
    /// `GET key`: the value, or nil if the key does not exist.
    public func get(_ key: String) async throws -> [UInt8]? {
        let reply = try await send(["GET", key])
        if reply.isNull { return nil }
        guard let bytes = reply.bytesValue else { throw RedisError.unexpectedReply("\(reply)") }
        return bytes
    }

    /// `GET key` as UTF-8 text.
    public func getString(_ key: String) async throws -> String? {
        try await get(key).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `SET key value [PX milliseconds] [NX]`. True if the value was set; false only with `nx`
    /// when the key already existed (the server answers a null bulk string then).
    @discardableResult
    public func set(_ key: String, _ value: [UInt8], px milliseconds: Int? = nil, nx: Bool = false) async throws -> Bool {
        var arguments = [Array("SET".utf8), Array(key.utf8), value]
        if let milliseconds { arguments += [Array("PX".utf8), Array(String(milliseconds).utf8)] }
        if nx { arguments.append(Array("NX".utf8)) }
        let reply = try await send(arguments: arguments)
        if reply.isNull { return false }
        guard case .simpleString = reply else { throw RedisError.unexpectedReply("\(reply)") }
        return true
    }

    @discardableResult
    public func set(_ key: String, _ value: String, px milliseconds: Int? = nil, nx: Bool = false) async throws -> Bool {
        try await set(key, Array(value.utf8), px: milliseconds, nx: nx)
    }

    /// `DEL key…`: how many of the keys existed.
    @discardableResult
    public func del(_ keys: String...) async throws -> Int64 {
        try await integer(["DEL"] + keys)
    }

    /// `EXPIRE key seconds`: false if the key does not exist.
    @discardableResult
    public func expire(_ key: String, seconds: Int) async throws -> Bool {
        try await integer(["EXPIRE", key, String(seconds)]) == 1
    }

    /// `PEXPIRE key milliseconds`: false if the key does not exist.
    @discardableResult
    public func pexpire(_ key: String, milliseconds: Int) async throws -> Bool {
        try await integer(["PEXPIRE", key, String(milliseconds)]) == 1
    }

    /// `INCR key`: the value after the increment.
    @discardableResult
    public func incr(_ key: String) async throws -> Int64 {
        try await integer(["INCR", key])
    }

    /// `HSET key field value …`: how many fields were new.
    @discardableResult
    public func hset(_ key: String, _ fields: [String: String]) async throws -> Int64 {
        var arguments = ["HSET", key]
        for (field, value) in fields.sorted(by: { $0.key < $1.key }) { arguments += [field, value] }
        return try await integer(arguments)
    }

    /// `HGETALL key`: every field and value (empty if the key does not exist).
    public func hgetall(_ key: String) async throws -> [String: String] {
        let reply = try await send(["HGETALL", key])
        var fields: [String: String] = [:]
        switch reply {
        case .array(let elements?) where elements.count % 2 == 0:
            for index in stride(from: 0, to: elements.count, by: 2) {
                guard let field = elements[index].stringValue, let value = elements[index + 1].stringValue else {
                    throw RedisError.unexpectedReply("\(reply)")
                }
                fields[field] = value
            }
        case .map(let pairs): // RESP3 servers answer with a map
            for pair in pairs {
                guard let field = pair.key.stringValue, let value = pair.value.stringValue else {
                    throw RedisError.unexpectedReply("\(reply)")
                }
                fields[field] = value
            }
        default:
            throw RedisError.unexpectedReply("\(reply)")
        }
        return fields
    }

    /// `HDEL key field…`: how many fields existed.
    @discardableResult
    public func hdel(_ key: String, _ fields: String...) async throws -> Int64 {
        try await integer(["HDEL", key] + fields)
    }

    /// `SADD key member…`: how many members were new.
    @discardableResult
    public func sadd(_ key: String, _ members: String...) async throws -> Int64 {
        try await integer(["SADD", key] + members)
    }

    /// `SREM key member…`: how many members were there.
    @discardableResult
    public func srem(_ key: String, _ members: String...) async throws -> Int64 {
        try await integer(["SREM", key] + members)
    }

    /// `SMEMBERS key`: the members, in no particular order.
    public func smembers(_ key: String) async throws -> [String] {
        let reply = try await send(["SMEMBERS", key])
        guard let elements = reply.arrayValue else { throw RedisError.unexpectedReply("\(reply)") }
        return try elements.map {
            guard let member = $0.stringValue else { throw RedisError.unexpectedReply("\(reply)") }
            return member
        }
    }

    /// `PUBLISH channel message`: how many subscribers received it (on this node of a cluster).
    @discardableResult
    public func publish(_ channel: String, _ message: [UInt8]) async throws -> Int64 {
        let reply = try await send(arguments: [Array("PUBLISH".utf8), Array(channel.utf8), message])
        guard let count = reply.int64Value else { throw RedisError.unexpectedReply("\(reply)") }
        return count
    }

    @discardableResult
    public func publish(_ channel: String, _ message: String) async throws -> Int64 {
        try await publish(channel, Array(message.utf8))
    }

    /// `EVAL script numkeys key… arg…`: the script's reply as it is (a script error is thrown as
    /// `RedisError.server`).
    public func eval(_ script: String, keys: [String] = [], args: [String] = []) async throws -> RESPValue {
        try await send(["EVAL", script, String(keys.count)] + keys + args)
    }

    private func integer(_ arguments: [String]) async throws -> Int64 {
        let reply = try await send(arguments)
        guard let value = reply.int64Value else { throw RedisError.unexpectedReply("\(reply)") }
        return value
    }
}
