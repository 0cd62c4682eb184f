import ArgumentParser
import Foundation
import Signal
import SwiftProtobuf

/// `sfu room list|create|delete` over `livekit.RoomService`.
public struct RoomCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "room",
        abstract: "List, create and delete rooms.",
        subcommands: [List.self, Create.self, Delete.self]
    )

    public init() {}

    public struct List: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "list", abstract: "List rooms.")
        @Flag(help: "Print the protobuf JSON mapping.") public var json = false
        @OptionGroup public var connection: ConnectionOptions
        public init() {}

        public func run() async throws {
            try await connection.withClient { client throws(ServerAPIError) in
                let response = try await client.listRooms()
                CLIOutput.print(json ? try JSONRendering.render(response) : ListingTables.rooms(response.rooms).render())
            }
        }
    }

    public struct Create: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a room.")
        @Argument(help: "Room name.") public var name: String
        @Option(name: .customLong("empty-timeout"), help: "Seconds an empty room is kept.") public var emptyTimeout: UInt32?
        @Option(name: .customLong("departure-timeout"), help: "Seconds a room is kept after the last participant left.")
        public var departureTimeout: UInt32?
        @Option(name: .customLong("max-participants"), help: "Participant limit (0: none).") public var maxParticipants: UInt32?
        @Option(help: "Room metadata.") public var metadata: String?
        @Flag(help: "Print the protobuf JSON mapping.") public var json = false
        @OptionGroup public var connection: ConnectionOptions
        public init() {}

        public var request: Livekit_CreateRoomRequest {
            var request = Livekit_CreateRoomRequest()
            request.name = name
            if let emptyTimeout { request.emptyTimeout = emptyTimeout }
            if let departureTimeout { request.departureTimeout = departureTimeout }
            if let maxParticipants { request.maxParticipants = maxParticipants }
            if let metadata { request.metadata = metadata }
            return request
        }

        public func run() async throws {
            let request = self.request
            try await connection.withClient { client throws(ServerAPIError) in
                let room = try await client.createRoom(request)
                CLIOutput.print(json ? try JSONRendering.render(room) : ListingTables.rooms([room]).render())
            }
        }
    }

    public struct Delete: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a room.")
        @Argument(help: "Room name.") public var name: String
        @OptionGroup public var connection: ConnectionOptions
        public init() {}

        public func run() async throws {
            try await connection.withClient { client throws(ServerAPIError) in
                _ = try await client.deleteRoom(name)
                CLIOutput.print("deleted room \(name)")
            }
        }
    }
}
