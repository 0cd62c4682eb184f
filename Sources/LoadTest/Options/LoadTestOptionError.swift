/// Why `sfu load-test` refused its options before starting anything.
public enum LoadTestOptionError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidURL(String)
    case unsupportedScheme(String)
    case notLoopback(String)
    case outOfRange(option: String, value: Int, allowed: ClosedRange<Int>)
    case invalidRamp(String)
    case invalidDuration(String)
    case tooManyParticipants(Int, limit: Int)
    case tooManyVideoPublishers(Int, limit: Int)
    case durationTooLong(Int, limit: Int)
    case optionNotForProfile(option: String, profile: LoadTestProfile)

    public var description: String {
        switch self {
        case .invalidURL(let text):
            return "--url: cannot read \"\(text)\" (use e.g. http://127.0.0.1:7880)"
        case .unsupportedScheme(let scheme):
            return "--url: scheme \"\(scheme)\" is not supported; a loopback server needs plain http:// or ws://"
        case .notLoopback(let host):
            return "--url: refusing to load-test \"\(host)\": only loopback servers (127.0.0.0/8, ::1, localhost) may be load-tested"
        case .outOfRange(let option, let value, let allowed):
            return "\(option): \(value) is outside \(allowed.lowerBound)...\(allowed.upperBound)"
        case .invalidRamp(let text):
            return "--ramp: \"\(text)\" is not a positive number of joins per second (at most \(Int(LoadTestLimits.maximumRamp)))"
        case .invalidDuration(let reason):
            return "--duration: \(reason)"
        case .tooManyParticipants(let count, let limit):
            return "this run would start \(count) participants; the limit is \(limit)"
        case .tooManyVideoPublishers(let count, let limit):
            return "this run would start \(count) video publishers; the limit is \(limit)"
        case .durationTooLong(let seconds, let limit):
            return "--duration: \(seconds) s is longer than the \(limit) s limit"
        case .optionNotForProfile(let option, let profile):
            return "\(option) does not apply to --profile \(profile.rawValue)"
        }
    }
}

/// Bounds on what one load test may start: it runs on one machine against a loopback server.
public enum LoadTestLimits {
    public static let maximumParticipants = 5_000
    public static let maximumVideoPublishers = 200
    public static let maximumDurationSeconds = 3_600
    public static let maximumRooms = 5_000
    public static let maximumPublishersPerRoom = 16
    public static let maximumSubscribersPerRoom = 500
    public static let maximumRamp = 1_000.0
}
