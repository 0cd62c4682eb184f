/// Ids for agent workers ("AW_") and jobs ("AJ_"), LiveKit style: prefix plus 12
/// base-57 characters. A per-dispatcher counter is folded in so ids never repeat
/// within one dispatcher even if the random part did.
struct AgentIdentifierSource: Sendable {
    private static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".utf8)
    private var counter: UInt64 = 0

    mutating func make(_ prefix: String) -> String {
        counter &+= 1
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12)
        // 4 characters from the counter (57^4 ≈ 10.5 M distinct before wrapping), 8 random.
        var c = counter
        for _ in 0..<4 {
            bytes.append(Self.alphabet[Int(c % 57)])
            c /= 57
        }
        for _ in 0..<8 {
            bytes.append(Self.alphabet[Int.random(in: 0..<Self.alphabet.count)])
        }
        return prefix + String(decoding: bytes, as: UTF8.self)
    }
}

/// LiveKit stamps `JobState.started_at/ended_at/updated_at` in Unix nanoseconds.
/// `now` is seconds; converting a non-finite or out-of-range value must not trap.
@inline(__always)
func agentTimestampNanos(_ seconds: Double) -> Int64 {
    let nanos = seconds * 1e9
    guard nanos.isFinite, nanos > -9.2e18, nanos < 9.2e18 else { return 0 }
    return Int64(nanos)
}
