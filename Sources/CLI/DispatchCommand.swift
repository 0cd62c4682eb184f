import ArgumentParser
import Foundation
import Signal

/// `sfu dispatch create|list|delete` over `livekit.AgentDispatchService`.
public struct DispatchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "Dispatch agents to rooms.",
        subcommands: [Create.self, List.self, Delete.self]
    )

    public init() {}

    public struct Create: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "create", abstract: "Dispatch an agent to a room.")
        @Option(help: "Room name.") public var room: String
        @Option(name: .customLong("agent-name"), help: "Agent name the workers registered with.") public var agentName: String
        @Option(help: "Job metadata handed to the agent.") public var metadata: String = ""
        @Flag(help: "Print the protobuf JSON mapping.") public var json = false
        @OptionGroup public var connection: ConnectionOptions
        public init() {}

        public func run() async throws {
            try await connection.withClient { client throws(ServerAPIError) in
                let dispatch = try await client.createDispatch(room: room, agentName: agentName, metadata: metadata)
                CLIOutput.print(json ? try JSONRendering.render(dispatch) : ListingTables.dispatches([dispatch]).render())
            }
        }
    }

    public struct List: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "list", abstract: "List the agent dispatches of a room.")
        @Argument(help: "Room name.") public var room: String
        @Flag(help: "Print the protobuf JSON mapping.") public var json = false
        @OptionGroup public var connection: ConnectionOptions
        public init() {}

        public func run() async throws {
            try await connection.withClient { client throws(ServerAPIError) in
                let response = try await client.listDispatches(room: room)
                CLIOutput.print(json ? try JSONRendering.render(response) : ListingTables.dispatches(response.agentDispatches).render())
            }
        }
    }

    public struct Delete: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an agent dispatch.")
        @Option(help: "Room name.") public var room: String
        @Argument(help: "Dispatch ID.") public var id: String
        @OptionGroup public var connection: ConnectionOptions
        public init() {}

        public func run() async throws {
            try await connection.withClient { client throws(ServerAPIError) in
                _ = try await client.deleteDispatch(room: room, dispatchID: id)
                CLIOutput.print("deleted dispatch \(id)")
            }
        }
    }
}
