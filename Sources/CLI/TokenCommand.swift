import ArgumentParser
import Foundation
import Signal

extension TokenGrant: ExpressibleByArgument {}

/// `sfu token …`: mint access tokens offline.
public struct TokenCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint access tokens.",
        subcommands: [Create.self]
    )

    public init() {}

    /// `sfu token create --room R --identity I [--grant …] [--valid-for 1h]`: prints the JWT.
    public struct Create: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Print a signed access token (HS256, no server needed)."
        )

        @Option(help: "Room the token is for (required for join and admin).")
        public var room: String?

        @Option(help: "Participant identity (required for join).")
        public var identity: String?

        @Option(help: "Participant display name.")
        public var name: String?

        @Option(help: "Participant metadata.")
        public var metadata: String?

        @Option(
            name: .customLong("grant"),
            help: ArgumentHelp(
                "Grant to include; repeatable. Default: join publish subscribe publish-data.",
                valueName: "grant"
            )
        )
        public var grants: [TokenGrant] = []

        @Option(name: .customLong("valid-for"), help: "Token lifetime, e.g. 1h, 30m, 3600s.")
        public var validFor: String = "6h"

        @OptionGroup public var credentials: CredentialOptions

        public init() {}

        public func validate() throws {
            do { _ = try DurationParser.seconds(validFor) } catch {
                throw ValidationError("--valid-for: \(error.description)")
            }
        }

        /// The token request these flags describe, credentials taken from `environment` as fallback.
        public func tokenRequest(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TokenRequest {
            let seconds: Int
            do { seconds = try DurationParser.seconds(validFor) } catch {
                throw ValidationError("--valid-for: \(error.description)")
            }
            let key = try credentials.resolve(environment: environment).key
            return TokenRequest(
                apiKey: key, room: room, identity: identity, name: name, metadata: metadata,
                grants: grants.isEmpty ? TokenGrant.defaultGrants : grants, validFor: seconds
            )
        }

        /// Signs the token these flags describe.
        public func makeToken(
            environment: [String: String] = ProcessInfo.processInfo.environment, now: Date = Date()
        ) async throws -> String {
            let request = try tokenRequest(environment: environment)
            let secret = try credentials.resolve(environment: environment).secret
            let claims = try request.claims(now: now)
            return try await AccessTokenSigner.sign(claims, secret: secret)
        }

        public func run() async throws {
            do {
                CLIOutput.print(try await makeToken())
            } catch let error as ValidationError {
                throw error
            } catch let error as ConfigurationError {
                throw CLIFailure.report(error.description)
            } catch let error as TokenRequestError {
                throw CLIFailure.report(error.description)
            } catch {
                throw CLIFailure.report("cannot sign token: \(error)")
            }
        }
    }
}
