import ArgumentParser
import CLI
import LoadTest

@main
struct SFUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sfu",
        abstract: "A LiveKit-compatible WebRTC SFU with WHIP/WHEP.",
        subcommands: [ServeCommand.self, EgressWorkerCommand.self, LoadTestCommand.self] + CLICommands.all,
        defaultSubcommand: ServeCommand.self
    )
}
