/// The `roomConfig` claim: protobuf-JSON of LiveKit's `RoomConfiguration` (PROTOCOL.md §7),
/// e.g. `{"agents":[{"agentName":"x","metadata":"…"}]}`. protojson writes lowerCamelCase
/// names and accepts the original snake_case ones; both are read here.
public struct RoomConfigurationClaim: Codable, Sendable, Equatable {
    public struct Agent: Codable, Sendable, Equatable {
        public var agentName: String
        public var metadata: String

        enum Keys: String, CodingKey { case agentName, agent_name, metadata }

        public init(agentName: String, metadata: String) {
            self.agentName = agentName
            self.metadata = metadata
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            agentName = try c.decodeIfPresent(String.self, forKey: .agentName) ?? c.decodeIfPresent(String.self, forKey: .agent_name) ?? ""
            metadata = try c.decodeIfPresent(String.self, forKey: .metadata) ?? ""
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(agentName, forKey: .agentName)
            try c.encode(metadata, forKey: .metadata)
        }
    }

    public var name: String = ""
    public var emptyTimeout: UInt32 = 0
    public var departureTimeout: UInt32 = 0
    public var maxParticipants: UInt32 = 0
    public var metadata: String = ""
    public var agents: [Agent] = []

    enum Keys: String, CodingKey {
        case name, emptyTimeout, empty_timeout, departureTimeout, departure_timeout
        case maxParticipants, max_participants, metadata, agents
    }

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        func number(_ a: Keys, _ b: Keys) throws -> UInt32 {
            try c.decodeIfPresent(UInt32.self, forKey: a) ?? c.decodeIfPresent(UInt32.self, forKey: b) ?? 0
        }
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        emptyTimeout = try number(.emptyTimeout, .empty_timeout)
        departureTimeout = try number(.departureTimeout, .departure_timeout)
        maxParticipants = try number(.maxParticipants, .max_participants)
        metadata = try c.decodeIfPresent(String.self, forKey: .metadata) ?? ""
        agents = try c.decodeIfPresent([Agent].self, forKey: .agents) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        if !name.isEmpty { try c.encode(name, forKey: .name) }
        if emptyTimeout > 0 { try c.encode(emptyTimeout, forKey: .emptyTimeout) }
        if departureTimeout > 0 { try c.encode(departureTimeout, forKey: .departureTimeout) }
        if maxParticipants > 0 { try c.encode(maxParticipants, forKey: .maxParticipants) }
        if !metadata.isEmpty { try c.encode(metadata, forKey: .metadata) }
        if !agents.isEmpty { try c.encode(agents, forKey: .agents) }
    }
}
