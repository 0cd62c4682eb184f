import CLI

/// A validated `sfu load-test` configuration: what runs, against which server, for how long.
public struct LoadTestOptions: Sendable, Equatable {
    public var target: LoopbackTarget
    public var apiKey: String
    public var apiSecret: String
    public var profile: LoadTestProfile
    public var rooms: Int
    /// Video profile: publishers per room (audio + simulcast video).
    public var publishersPerRoom: Int
    /// Video profile: receive-only participants per room.
    public var subscribersPerRoom: Int
    /// Seconds media flows after the last participant started joining.
    public var durationSeconds: Int
    /// Joins started per second.
    public var rampPerSecond: Double
    /// `--muted`: tracks are published muted and no media is sent, so the run measures what
    /// connected, subscribed participants cost the server with nothing flowing.
    public var muted: Bool = false
    public var json: Bool

    /// Participants per room.
    public var participantsPerRoom: Int {
        switch profile {
        case .voice: return 2
        case .video: return publishersPerRoom + subscribersPerRoom
        }
    }

    public var totalParticipants: Int { rooms * participantsPerRoom }

    /// Checks every option and the caps; `publishers`/`subscribers` nil means the profile default.
    /// `duration` is written as `sfu token create --valid-for` takes it (`60s`, `5m`, `1h`, `90`).
    public static func make(url: String, apiKey: String, apiSecret: String, profile: LoadTestProfile, rooms: Int,
                            publishers: Int?, subscribers: Int?, duration: String, ramp: String,
                            muted: Bool = false, json: Bool) throws(LoadTestOptionError) -> LoadTestOptions {
        let target = try LoopbackTarget(url: url)
        try check("--rooms", rooms, 1...LoadTestLimits.maximumRooms)
        var publishersPerRoom = 0
        var subscribersPerRoom = 0
        switch profile {
        case .voice:
            if publishers != nil { throw .optionNotForProfile(option: "--publishers", profile: profile) }
            if subscribers != nil { throw .optionNotForProfile(option: "--subscribers", profile: profile) }
        case .video:
            publishersPerRoom = publishers ?? 1
            subscribersPerRoom = subscribers ?? 2
            try check("--publishers", publishersPerRoom, 1...LoadTestLimits.maximumPublishersPerRoom)
            try check("--subscribers", subscribersPerRoom, 0...LoadTestLimits.maximumSubscribersPerRoom)
        }
        let seconds: Int
        do { seconds = try DurationParser.seconds(duration) } catch { throw .invalidDuration(error.description) }
        guard seconds <= LoadTestLimits.maximumDurationSeconds else {
            throw .durationTooLong(seconds, limit: LoadTestLimits.maximumDurationSeconds)
        }
        guard let rate = Double(ramp.trimmingWhitespaceForOptions()), rate.isFinite, rate > 0,
              rate <= LoadTestLimits.maximumRamp else { throw .invalidRamp(ramp) }
        let options = LoadTestOptions(target: target, apiKey: apiKey, apiSecret: apiSecret, profile: profile, rooms: rooms,
                                      publishersPerRoom: publishersPerRoom, subscribersPerRoom: subscribersPerRoom,
                                      durationSeconds: seconds, rampPerSecond: rate, muted: muted, json: json)
        guard options.totalParticipants <= LoadTestLimits.maximumParticipants else {
            throw .tooManyParticipants(options.totalParticipants, limit: LoadTestLimits.maximumParticipants)
        }
        let videoPublishers = profile == .video ? rooms * publishersPerRoom : 0
        guard videoPublishers <= LoadTestLimits.maximumVideoPublishers else {
            throw .tooManyVideoPublishers(videoPublishers, limit: LoadTestLimits.maximumVideoPublishers)
        }
        return options
    }

    private static func check(_ option: String, _ value: Int, _ allowed: ClosedRange<Int>) throws(LoadTestOptionError) {
        guard allowed.contains(value) else { throw .outOfRange(option: option, value: value, allowed: allowed) }
    }
}

extension String {
    fileprivate func trimmingWhitespaceForOptions() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
