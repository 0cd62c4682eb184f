/// One node's entry in the deployment's Redis (`sfu:node:<id>`, a hash that expires unless
/// refreshed): where to reach it and what it carries. Placement reads these to pick the
/// least-loaded node that is not draining; an autoscaler may read them too.
struct NodeRecord: Equatable, Sendable {
    var id: String
    /// `host:port` of its HTTP side (signalling, APIs).
    var http: String
    /// `ip:port` its ICE candidates advertise.
    var media: String
    var rooms = 0
    var participants = 0
    /// CPU used over the last heartbeat interval, in cores (1.5 = one and a half cores busy).
    var cpuCores = 0.0
    var cores = 1
    var draining = false
    /// Kinds of agent jobs its workers take (`RemoteAgents.poolKey`: "type:agent name").
    var agentPools: [String] = []
    var startedAtMs: Int64 = 0
    var updatedAtMs: Int64 = 0

    /// Redis keys: the hash of one node, and the sorted set of node ids by last heartbeat (ms),
    /// so live nodes are listed without scanning keys.
    static func key(_ id: String) -> String { "sfu:node:\(id)" }
    static let indexKey = "sfu:nodes"

    var fields: [String: String] {
        ["id": id, "http": http, "media": media, "rooms": String(rooms), "participants": String(participants),
         "cpu": String(cpuCores), "cores": String(cores), "draining": draining ? "1" : "0",
         "started_at": String(startedAtMs), "updated_at": String(updatedAtMs),
         "agents": agentPools.joined(separator: "\n")]
    }

    /// A hash read back; nil when a required field is missing or malformed (a foreign or
    /// half-written key is skipped, never trusted).
    init?(fields: [String: String]) {
        guard let id = fields["id"], !id.isEmpty, let http = fields["http"], let media = fields["media"],
              let rooms = fields["rooms"].flatMap(Int.init), let participants = fields["participants"].flatMap(Int.init),
              let draining = fields["draining"], draining == "0" || draining == "1" else { return nil }
        self.id = id
        self.http = http
        self.media = media
        self.rooms = rooms
        self.participants = participants
        self.cpuCores = fields["cpu"].flatMap(Double.init) ?? 0
        self.cores = fields["cores"].flatMap(Int.init) ?? 1
        self.draining = draining == "1"
        self.startedAtMs = fields["started_at"].flatMap(Int64.init) ?? 0
        self.updatedAtMs = fields["updated_at"].flatMap(Int64.init) ?? 0
        self.agentPools = (fields["agents"] ?? "").split(separator: "\n").map(String.init)
    }

    init(id: String, http: String, media: String) {
        self.id = id
        self.http = http
        self.media = media
    }
}
