import ArgumentParser
import Foundation

/// `--api-key` / `--api-secret`, falling back to `SFU_API_KEY` / `SFU_API_SECRET`.
public struct CredentialOptions: ParsableArguments {
    @Option(name: .customLong("api-key"), help: "API key (env: SFU_API_KEY).")
    public var apiKey: String?

    @Option(name: .customLong("api-secret"), help: "API secret (env: SFU_API_SECRET).")
    public var apiSecret: String?

    public init() {}

    public func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> (key: String, secret: String) {
        try ConnectionResolver.credentials(apiKey: apiKey, apiSecret: apiSecret, environment: environment)
    }
}

/// `--url` plus credentials, falling back to `SFU_URL` (default http://127.0.0.1:7880).
public struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("url"), help: "Server URL (env: SFU_URL, default \(ServerConnection.defaultURL)).")
    public var url: String?

    @OptionGroup public var credentials: CredentialOptions

    public init() {}

    public func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> ServerConnection {
        try ConnectionResolver.connection(
            url: url, apiKey: credentials.apiKey, apiSecret: credentials.apiSecret, environment: environment
        )
    }

    /// Resolves the connection and runs `body` with a client, reporting failures the CLI way.
    func withClient(_ body: (ServerAPIClient) async throws(ServerAPIError) -> Void) async throws {
        let connection: ServerConnection
        do { connection = try resolve() } catch { throw CLIFailure.report(error.description) }
        do { try await body(ServerAPIClient(connection: connection)) } catch { throw CLIFailure.report(error.description) }
    }
}
