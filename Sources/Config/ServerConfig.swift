import Foundation
import Redis
import Signal
import TOMLKit

/// Configuration loaded from `sfu.toml`. Every key is documented in README.md.
/// Unknown sections and keys are errors, never silently ignored.
package struct ServerConfig: Equatable {
    package init() {}

    package var bind = "127.0.0.1"
    package var port = 7880
    /// `[server]` connection cap and timeouts (ConnectionPolicy).
    package var connections = ConnectionSettings()
    package var udpPort = 7882
    /// `[rtc] tcp_port`: ICE-TCP (RFC 6544 passive candidates); 0 = off.
    package var tcpPort = 7881
    package var nodeIP = ""
    /// `/rtc/v1` (single peer connection) served; false answers it 404 so SDKs use `/rtc`.
    package var singlePeerConnection = true
    /// `[rtc] media_threads`: media event loops (shards); 0 = one per core.
    package var mediaThreads = 0
    /// API key → secret.
    package var keys: [String: String] = [:]
    package var logLevel = "info"
    /// Test-only fault injection: percentage of RTP packets dropped.
    package var inboundLossPercent = 0.0
    package var outboundLossPercent = 0.0
    /// `[room]`: defaults for rooms.
    package var roomDefaults = RoomDefaults()
    /// `[limits]`: per-participant rates and sizes.
    package var limits = ParticipantLimits()
    /// `[webhook]`: receivers, the key that signs, and the durable outbox.
    package var webhookURLs: [String] = []
    package var webhookAPIKey = ""
    package var webhookOutboxDirectory = "data/webhooks"
    /// `[storage]`: recordings.
    package var storage = StorageSettings()
    /// `[node] drain_timeout`: seconds a draining node waits for its calls to end.
    package var drainTimeout = 3600.0
    /// `[redis]`: the deployment this node joins; nil = a single node (the default).
    package var redis: RedisSettings?
    /// `[turn]`: TURN relays handed to clients; nil = none (the default).
    package var turn: TURNRelays?

    /// Media shards to run: `media_threads`, or one per core when it is 0.
    package var effectiveMediaThreads: Int {
        mediaThreads > 0 ? mediaThreads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}

/// `[redis]`: `address = "host:port"`, optional `username`, `password`, `db`.
package struct RedisSettings: Equatable {
    package var host: String
    package var port: Int
    package var username: String?
    package var password: String?
    package var db = 0
    /// `tls = true` (with optional `ca_file`, `server_name`): TLS to Redis.
    package var tls: RedisTLS?

    package init(host: String, port: Int, username: String? = nil, password: String? = nil, db: Int = 0, tls: RedisTLS? = nil) {
        (self.host, self.port, self.username, self.password, self.db, self.tls) = (host, port, username, password, db, tls)
    }
}

package struct ConfigError: Error, CustomStringConvertible, Equatable {
    package var key: String
    package var message: String
    package var description: String { "config: \(key): \(message)" }

    package init(key: String, message: String) {
        self.key = key
        self.message = message
    }
}

extension ServerConfig {
    package static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Parses and validates TOML text.
    package static func parse(_ text: String) throws(ConfigError) -> ServerConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch {
            throw ConfigError(key: "<file>", message: "not valid TOML: \(error)")
        }
        var config = ServerConfig()
        var reader = TOMLReader(root: table)
        try reader.section("server", allowed: ["bind", "port", "max_connections", "idle_timeout", "header_timeout",
                                               "body_timeout"]) { s throws(ConfigError) in
            if let v = try s.string("bind") { config.bind = v }
            if let v = try s.int("port", range: 1...65535) { config.port = v }
            if let v = try s.int("max_connections", range: 1...1_000_000) { config.connections.maxConnections = v }
            if let v = try s.double("idle_timeout", range: 0.1...86_400) { config.connections.idleTimeout = v }
            if let v = try s.double("header_timeout", range: 0.1...3_600) { config.connections.headerTimeout = v }
            if let v = try s.double("body_timeout", range: 0.1...86_400) { config.connections.bodyTimeout = v }
        }
        try reader.section("rtc", allowed: ["udp_port", "tcp_port", "node_ip", "single_peer_connection", "media_threads"]) { s throws(ConfigError) in
            if let v = try s.int("udp_port", range: 1...65535) { config.udpPort = v }
            if let v = try s.int("tcp_port", range: 0...65535) { config.tcpPort = v }
            if let v = try s.string("node_ip") { config.nodeIP = v }
            if let v = try s.bool("single_peer_connection") { config.singlePeerConnection = v }
            if let v = try s.int("media_threads", range: 0...256) { config.mediaThreads = v }
        }
        try reader.section("keys", allowed: nil) { s throws(ConfigError) in
            for key in s.keys {
                guard let secret = try s.string(key), !secret.isEmpty else {
                    throw ConfigError(key: "keys.\(key)", message: "secret must be a non-empty string")
                }
                config.keys[key] = secret
            }
        }
        try reader.section("logging", allowed: ["level"]) { s throws(ConfigError) in
            if let v = try s.string("level") {
                guard logLevels.contains(v) else {
                    throw ConfigError(key: "logging.level", message: "must be one of \(logLevels.joined(separator: ", "))")
                }
                config.logLevel = v
            }
        }
        try reader.section("room", allowed: ["empty_timeout", "departure_timeout", "max_participants"]) { s throws(ConfigError) in
            if let v = try s.int("empty_timeout", range: 0...86_400 * 30) { config.roomDefaults.emptyTimeout = UInt32(v) }
            if let v = try s.int("departure_timeout", range: 0...86_400 * 30) { config.roomDefaults.departureTimeout = UInt32(v) }
            if let v = try s.int("max_participants", range: 0...100_000) { config.roomDefaults.maxParticipants = UInt32(v) }
        }
        try reader.section("limits", allowed: ["signal_requests_per_second", "signal_request_burst", "metadata_updates_per_second",
                                               "metadata_update_burst", "data_messages_per_second", "data_message_burst",
                                               "max_metadata_size", "max_attributes_size",
                                               "max_participant_name_length"]) { s throws(ConfigError) in
            if let v = try s.double("signal_requests_per_second", range: 0...1_000_000) { config.limits.signalRequestsPerSecond = v }
            if let v = try s.double("signal_request_burst", range: 1...1_000_000) { config.limits.signalRequestBurst = v }
            if let v = try s.double("metadata_updates_per_second", range: 0...1_000_000) { config.limits.metadataUpdatesPerSecond = v }
            if let v = try s.double("metadata_update_burst", range: 1...1_000_000) { config.limits.metadataUpdateBurst = v }
            if let v = try s.double("data_messages_per_second", range: 0...1_000_000) { config.limits.dataMessagesPerSecond = v }
            if let v = try s.double("data_message_burst", range: 1...1_000_000) { config.limits.dataMessageBurst = v }
            if let v = try s.int("max_metadata_size", range: 0...(64 << 20)) { config.limits.maxMetadataSize = v }
            if let v = try s.int("max_attributes_size", range: 0...(64 << 20)) { config.limits.maxAttributesSize = v }
            if let v = try s.int("max_participant_name_length", range: 0...65_536) { config.limits.maxNameLength = v }
        }
        try reader.section("webhook", allowed: ["urls", "api_key", "outbox_dir"]) { s throws(ConfigError) in
            if let v = try s.stringArray("urls") {
                for url in v where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                    throw ConfigError(key: "webhook.urls", message: "\"\(url)\" is not an http(s) URL")
                }
                config.webhookURLs = v
            }
            if let v = try s.string("api_key") { config.webhookAPIKey = v }
            if let v = try s.string("outbox_dir") {
                guard !v.isEmpty else { throw ConfigError(key: "webhook.outbox_dir", message: "must not be empty") }
                config.webhookOutboxDirectory = v
            }
        }
        try reader.section("storage", allowed: ["local_dir", "s3_access_key", "s3_secret", "s3_region", "s3_endpoint",
                                                "s3_bucket", "s3_force_path_style"]) { s throws(ConfigError) in
            if let v = try s.string("local_dir") {
                guard !v.isEmpty else { throw ConfigError(key: "storage.local_dir", message: "must not be empty") }
                config.storage.localDirectory = v
            }
            if let v = try s.string("s3_access_key") { config.storage.s3AccessKey = v }
            if let v = try s.string("s3_secret") { config.storage.s3Secret = v }
            if let v = try s.string("s3_region") { config.storage.s3Region = v }
            if let v = try s.string("s3_endpoint") { config.storage.s3Endpoint = v }
            if let v = try s.string("s3_bucket") { config.storage.s3Bucket = v }
            if let v = try s.bool("s3_force_path_style") { config.storage.s3ForcePathStyle = v }
        }
        try reader.section("node", allowed: ["drain_timeout"]) { s throws(ConfigError) in
            if let v = try s.double("drain_timeout", range: 0...86_400 * 7) { config.drainTimeout = v }
        }
        try reader.section("redis", allowed: ["address", "username", "password", "db", "tls", "ca_file", "server_name"]) { s throws(ConfigError) in
            guard let address = try s.string("address") else {
                throw ConfigError(key: "redis.address", message: "is required in [redis] (\"host:port\")")
            }
            let endpoint: (host: String, port: Int)
            do {
                endpoint = try RedisConfiguration.parse(address: address)
            } catch {
                throw ConfigError(key: "redis.address", message: "\"\(address)\" is not host:port (\(error))")
            }
            var redis = RedisSettings(host: endpoint.host, port: endpoint.port)
            redis.username = try s.string("username")
            redis.password = try s.string("password")
            if let v = try s.int("db", range: 0...15) { redis.db = v }
            let caFile = try s.string("ca_file"), serverName = try s.string("server_name")
            if try s.bool("tls") == true {
                if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                    throw ConfigError(key: "redis.ca_file", message: "\"\(caFile)\" is not a readable file")
                }
                redis.tls = RedisTLS(caFile: caFile, serverName: serverName)
            } else if caFile != nil || serverName != nil {
                throw ConfigError(key: caFile != nil ? "redis.ca_file" : "redis.server_name", message: "applies only with tls = true")
            }
            config.redis = redis
        }
        try reader.section("turn", allowed: ["urls", "secret", "ttl"]) { s throws(ConfigError) in
            let urls = try s.stringArray("urls") ?? []
            guard !urls.isEmpty else { throw ConfigError(key: "turn.urls", message: "is required in [turn] (turn:HOST:PORT?transport=udp, ...)") }
            for url in urls where !TURNRelays.isICEServerURL(url) {
                throw ConfigError(key: "turn.urls", message: "\"\(url)\" is not a turn:, turns:, stun: or stuns: URI")
            }
            guard let secret = try s.string("secret"), !secret.isEmpty else {
                throw ConfigError(key: "turn.secret", message: "is required in [turn] (coturn's static-auth-secret)")
            }
            let ttl = try s.int("ttl", range: 60...(30 * 86_400)) ?? TURNRelays.defaultTTL
            config.turn = TURNRelays(urls: urls, secret: secret, ttl: ttl)
        }
        try reader.section("testing", allowed: ["inbound_loss_percent", "outbound_loss_percent"]) { s throws(ConfigError) in
            if let v = try s.double("inbound_loss_percent", range: 0...100) { config.inboundLossPercent = v }
            if let v = try s.double("outbound_loss_percent", range: 0...100) { config.outboundLossPercent = v }
        }
        try reader.rejectUnknownSections()
        if config.keys.isEmpty {
            throw ConfigError(key: "keys", message: "at least one API key = secret pair is required")
        }
        if !config.webhookURLs.isEmpty {
            if config.webhookAPIKey.isEmpty { config.webhookAPIKey = config.keys.keys.sorted()[0] }
            guard config.keys[config.webhookAPIKey] != nil else {
                throw ConfigError(key: "webhook.api_key", message: "\"\(config.webhookAPIKey)\" is not one of [keys]")
            }
        }
        return config
    }
}
