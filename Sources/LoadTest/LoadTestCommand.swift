import ArgumentParser
import CLI
import Foundation

extension LoadTestProfile: ExpressibleByArgument {}

/// `sfu load-test`: simulated participants against a loopback server, as `lk load-test` runs
/// them, each with its own ICE, DTLS and SRTP and its own `/rtc` signalling.
public struct LoadTestCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "load-test",
        abstract: "Load-test a loopback server with simulated participants (Opus voice calls or simulcast video rooms).",
        discussion: """
            Each participant joins over /rtc like an SDK (two peer connections), runs ICE, DTLS and SRTP itself \
            and sends pre-encoded media (Opus, and for --profile video three VP8 simulcast layers). The figures are \
            what the subscribers received: join time, time to first packet, loss from sequence gaps and \
            RFC 3550 jitter. Only loopback servers can be tested; at most \(LoadTestLimits.maximumParticipants) \
            participants and \(LoadTestLimits.maximumDurationSeconds / 60) minutes.
            """
    )

    @OptionGroup public var connection: ConnectionOptions

    @Option(help: "Rooms to fill.")
    public var rooms: Int = 1

    @Option(help: "voice: caller + agent per room, each publishing Opus. video: --publishers with audio + simulcast video, --subscribers receiving.")
    public var profile: LoadTestProfile = .voice

    @Option(help: "Video profile: publishers per room (default 1).")
    public var publishers: Int?

    @Option(help: "Video profile: receive-only participants per room (default 2).")
    public var subscribers: Int?

    @Option(help: "How long media flows after the last participant has started joining, e.g. 60s, 5m, 1h.")
    public var duration: String = "60s"

    @Option(help: "Joins started per second.")
    public var ramp: String = "50"

    @Flag(help: "Publish every track muted and send no media: what connected, subscribed participants cost with nothing flowing.")
    public var muted = false

    @Flag(help: "Print one JSON object with the figures instead of the table.")
    public var json = false

    public init() {}

    public func options(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LoadTestOptions {
        let server = try connection.resolve(environment: environment)
        return try LoadTestOptions.make(url: server.url, apiKey: server.apiKey, apiSecret: server.apiSecret, profile: profile,
                                        rooms: rooms, publishers: publishers, subscribers: subscribers, duration: duration,
                                        ramp: ramp, muted: muted, json: json)
    }

    public func run() async throws {
        let options: LoadTestOptions
        do {
            options = try self.options()
        } catch let error as LoadTestOptionError {
            throw Self.failure(error.description)
        } catch let error as ConfigurationError {
            throw Self.failure(error.description)
        }
        let summary: LoadTestSummary
        do {
            summary = try await LoadTestRunner(options: options).run()
        } catch {
            throw Self.failure("load test failed: \(error)")
        }
        let text = options.json ? summary.json() : summary.table()
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    private static func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode.failure
    }
}
