/// Which failed S3 requests are worth repeating, and how long to wait before the next attempt.
struct RetryPolicy: Sendable, Equatable {
    var maxAttempts: Int
    var initialBackoff: Double
    var maxBackoff: Double = 20

    init(maxAttempts: Int, initialBackoff: Double) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = max(0, initialBackoff)
    }

    /// 5xx, 429 and S3's `RequestTimeout` / `SlowDown` / `InternalError` codes are transient;
    /// every other 4xx (403 InvalidAccessKeyId, SignatureDoesNotMatch, 404 NoSuchBucket, …) is final.
    static func isRetryable(_ error: StorageError) -> Bool {
        switch error {
        case .transport:
            return true
        case .file:
            return false
        case let .http(status, code, _):
            if status >= 500 || status == 429 { return true }
            return code == "RequestTimeout" || code == "SlowDown" || code == "InternalError"
        }
    }

    /// Wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed: exponential,
    /// `initialBackoff * 2^(attempt-1)`, capped at `maxBackoff`.
    func delay(afterAttempt attempt: Int) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 30)))
        return min(maxBackoff, initialBackoff * pow2(exponent))
    }

    private func pow2(_ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 { result *= 2; remaining -= 1 }
        return result
    }
}
