import ArgumentParser
import Foundation
import Signal

/// `sfu participant list|remove` over `livekit.RoomService`.
public struct ParticipantCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "participant",
        abstract: "List and remove participants.",
        subcommands: [List.self, Remove.self]
    )

    public init() {}

    public struct List: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "list", abstract: "List the participants of a room.")
        @Argument(help: "Room name.") public var room: String
        @Flag(help: "Print the protobuf JSON mapping.") public var json = false
        @OptionGroup public var connection: ConnectionOptions
        public init() {}

        public func run() async throws {
            try await connection.withClient { client throws(ServerAPIError) in
                let response = try await client.listParticipants(room: room)
                CLIOutput.print(json ? try JSONRendering.render(response) : ListingTables.participants(response.participants).render())
            }
        }
    }

    public struct Remove: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a participant from a room.")
        @Argument(help: "Room name.") public var room: String
        @Argument(help: "Participant identity.") public var identity: String
        @OptionGroup public var connection: ConnectionOptions
        public init() {}

        public func run() async throws {
            try await connection.withClient { client throws(ServerAPIError) in
                _ = try await client.removeParticipant(room: room, identity: identity)
                CLIOutput.print("removed \(identity) from \(room)")
            }
        }
    }
}
