import ArgumentParser

/// The client commands of the `sfu` binary, to list beside `serve`:
/// `subcommands: [ServeCommand.self] + CLICommands.all`.
public enum CLICommands {
    public static let all: [ParsableCommand.Type] = [
        TokenCommand.self, RoomCommand.self, ParticipantCommand.self, DispatchCommand.self,
    ]
}
