import ArgumentParser
import Foundation

/// Prints `error: <message>` to stderr and yields the exit code 1 to throw.
enum CLIFailure {
    static func report(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode.failure
    }
}

/// Output of the commands; `--json` prints the protobuf JSON mapping.
enum CLIOutput {
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
