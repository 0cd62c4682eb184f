import TOMLKit

/// Configuration loaded from `sfu.toml`. Every key is documented in README.md.
/// Unknown sections and keys are errors, never silently ignored.
struct ServerConfig: Equatable {
    var bind = "127.0.0.1"
    var port = 7880
    var udpPort = 7882
    var nodeIP = ""
    /// API key → secret.
    var keys: [String: String] = [:]
    var logLevel = "info"
    /// Test-only fault injection: percentage of RTP packets dropped.
    var inboundLossPercent = 0.0
    var outboundLossPercent = 0.0
}

struct ConfigError: Error, CustomStringConvertible, Equatable {
    var key: String
    var message: String
    var description: String { "config: \(key): \(message)" }
}

extension ServerConfig {
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Parses and validates TOML text.
    static func parse(_ text: String) throws(ConfigError) -> ServerConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch {
            throw ConfigError(key: "<file>", message: "not valid TOML: \(error)")
        }
        var config = ServerConfig()
        var reader = TOMLReader(root: table)
        try reader.section("server", allowed: ["bind", "port"]) { s throws(ConfigError) in
            if let v = try s.string("bind") { config.bind = v }
            if let v = try s.int("port", range: 1...65535) { config.port = v }
        }
        try reader.section("rtc", allowed: ["udp_port", "node_ip"]) { s throws(ConfigError) in
            if let v = try s.int("udp_port", range: 1...65535) { config.udpPort = v }
            if let v = try s.string("node_ip") { config.nodeIP = v }
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
        try reader.section("testing", allowed: ["inbound_loss_percent", "outbound_loss_percent"]) { s throws(ConfigError) in
            if let v = try s.double("inbound_loss_percent", range: 0...100) { config.inboundLossPercent = v }
            if let v = try s.double("outbound_loss_percent", range: 0...100) { config.outboundLossPercent = v }
        }
        try reader.rejectUnknownSections()
        if config.keys.isEmpty {
            throw ConfigError(key: "keys", message: "at least one API key = secret pair is required")
        }
        return config
    }
}
