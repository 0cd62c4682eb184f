import ArgumentParser
import CLI

@main
struct SFUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sfu",
        abstract: "A LiveKit-compatible WebRTC SFU with WHIP/WHEP.",
        subcommands: [ServeCommand.self, EgressWorkerCommand.self] + CLICommands.all,
        defaultSubcommand: ServeCommand.self
    )
}
