/// A restriction identifier `a=rid:<id> <direction> [<params>]` (RFC 8851 §10).
public struct RID: Sendable, Equatable {
    public var id: String
    /// `send` or `recv`.
    public var direction: String
    /// Raw restriction list, e.g. `max-width=1280;max-height=720` or `pt=96`.
    public var params: String?

    public init(id: String, direction: String, params: String? = nil) {
        self.id = id
        self.direction = direction
        self.params = params
    }

    public static func parse(_ text: String) -> RID? {
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[1] == "send" || parts[1] == "recv" else { return nil }
        return RID(id: String(parts[0]), direction: String(parts[1]),
                   params: parts.count == 3 ? String(parts[2]) : nil)
    }

    public var sdpValue: String {
        if let params { return "\(id) \(direction) \(params)" }
        return "\(id) \(direction)"
    }
}

/// The `a=simulcast` value split into its send and receive stream lists (RFC 8853 §5.1).
/// Each list is a list of alternatives; `~` marks a paused stream and is kept in the id.
public struct SimulcastDescription: Sendable, Equatable {
    public var send: [[String]]
    public var recv: [[String]]

    public init(send: [[String]] = [], recv: [[String]] = []) {
        self.send = send
        self.recv = recv
    }

    /// Parses `send f;h;q`, `recv a,b;c`, or both, as written after `a=simulcast:`.
    public static func parse(_ text: String) -> SimulcastDescription? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 || parts.count == 4 else { return nil }
        var result = SimulcastDescription()
        var index = 0
        while index + 1 < parts.count {
            let list = parts[index + 1].split(separator: ";", omittingEmptySubsequences: false).map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
            if list.contains(where: { $0.contains(where: \.isEmpty) }) { return nil }
            switch parts[index] {
            case "send": result.send = list
            case "recv": result.recv = list
            default: return nil
            }
            index += 2
        }
        return result
    }

    public var sdpValue: String {
        func format(_ list: [[String]]) -> String { list.map { $0.joined(separator: ",") }.joined(separator: ";") }
        var parts: [String] = []
        if !send.isEmpty { parts.append("send \(format(send))") }
        if !recv.isEmpty { parts.append("recv \(format(recv))") }
        return parts.joined(separator: " ")
    }
}
