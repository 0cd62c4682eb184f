import Foundation

/// Where the server is and which API key pair signs the CLI's tokens.
public struct ServerConnection: Sendable, Equatable {
    public var url: String
    public var apiKey: String
    public var apiSecret: String

    public init(url: String, apiKey: String, apiSecret: String) {
        self.url = url
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }

    public static let defaultURL = "http://127.0.0.1:7880"

    /// The HTTP base URL: `ws`/`wss` (as in `LIVEKIT_URL`) become `http`/`https`; a trailing `/` is dropped.
    public var httpBaseURL: String {
        var value = url.trimmingWhitespace()
        if value.hasPrefix("ws://") { value = "http://" + value.dropFirst(5) }
        else if value.hasPrefix("wss://") { value = "https://" + value.dropFirst(6) }
        else if !value.contains("://") { value = "http://" + value }
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }
}

/// A setting the CLI needs but was given neither by flag nor by environment.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingAPIKey
    case missingAPISecret

    public var description: String {
        switch self {
        case .missingAPIKey: return "missing API key: pass --api-key or set SFU_API_KEY"
        case .missingAPISecret: return "missing API secret: pass --api-secret or set SFU_API_SECRET"
        }
    }
}

/// Flag > environment > default. `SFU_*` is read first; `LIVEKIT_*` (what `lk` reads) is a fallback.
public enum ConnectionResolver {
    public static let urlVariables = ["SFU_URL", "LIVEKIT_URL"]
    public static let keyVariables = ["SFU_API_KEY", "LIVEKIT_API_KEY"]
    public static let secretVariables = ["SFU_API_SECRET", "LIVEKIT_API_SECRET"]

    public static func credentials(
        apiKey: String?, apiSecret: String?, environment: [String: String]
    ) throws(ConfigurationError) -> (key: String, secret: String) {
        guard let key = pick(apiKey, keyVariables, environment) else { throw .missingAPIKey }
        guard let secret = pick(apiSecret, secretVariables, environment) else { throw .missingAPISecret }
        return (key, secret)
    }

    public static func connection(
        url: String?, apiKey: String?, apiSecret: String?, environment: [String: String]
    ) throws(ConfigurationError) -> ServerConnection {
        let (key, secret) = try credentials(apiKey: apiKey, apiSecret: apiSecret, environment: environment)
        let resolvedURL = pick(url, urlVariables, environment) ?? ServerConnection.defaultURL
        return ServerConnection(url: resolvedURL, apiKey: key, apiSecret: secret)
    }

    private static func pick(_ flag: String?, _ variables: [String], _ environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        for name in variables {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }
}
