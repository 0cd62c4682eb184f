#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-descriptor limit (`RLIMIT_NOFILE`, POSIX getrlimit/setrlimit).
///
/// Every HTTP/WebSocket connection costs one descriptor. At start the soft limit is raised to
/// the hard limit (the common soft default of 1024 is far below what a media server holds), and
/// the connection cap is kept below it, so accept never runs into EMFILE.
enum ProcessLimits {
    struct DescriptorLimit: Equatable {
        var soft: UInt64
        var hard: UInt64
        /// The soft limit before it was raised.
        var before: UInt64
    }

    /// Raises the soft `RLIMIT_NOFILE` to the hard one; nil if the limit cannot be read.
    static func raiseDescriptorLimit() -> DescriptorLimit? {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return nil }
        let before = UInt64(limit.rlim_cur)
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            #if canImport(Darwin)
            // macOS refuses more than OPEN_MAX for the soft limit when the hard one is unlimited.
            if raised.rlim_cur == RLIM_INFINITY { raised.rlim_cur = rlim_t(OPEN_MAX) }
            #endif
            if setrlimit(resourceNoFile, &raised) == 0 { limit = raised }
        }
        return DescriptorLimit(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max), before: before)
    }

    /// Descriptors kept out of the connection cap for everything else the server opens: the
    /// UDP media socket, event loops, the webhook outbox, recordings and their pipes.
    static func reserve(for descriptorLimit: UInt64) -> UInt64 {
        max(64, descriptorLimit / 8)
    }

    /// The connection cap actually enforced: `configured`, but below the descriptor limit.
    static func connectionCap(configured: Int, descriptorLimit: UInt64?) -> Int {
        guard let descriptorLimit else { return configured }
        let reserve = reserve(for: descriptorLimit)
        let available = descriptorLimit > reserve ? descriptorLimit - reserve : 1
        return Int(min(UInt64(configured), max(available, 1)))
    }

    #if canImport(Glibc)
    private static let resourceNoFile = __rlimit_resource_t(UInt32(RLIMIT_NOFILE.rawValue))
    #else
    private static let resourceNoFile = RLIMIT_NOFILE
    #endif
}
