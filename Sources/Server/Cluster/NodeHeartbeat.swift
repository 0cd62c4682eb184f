/// The heartbeat's arithmetic, without Redis or clocks: CPU in cores from two readings of the
/// process's CPU seconds, and which index entries are too old to be a live node.
struct NodeHeartbeat: Sendable {
    /// A node not heard from for this long has dropped out (its hash expires at the same age).
    let ttlMs: Int64
    private var lastCPU: (seconds: Double, atMs: Int64)?

    init(ttlMs: Int64) { self.ttlMs = ttlMs }

    /// Cores busy since the last reading (0 on the first).
    mutating func cpuCores(cpuSeconds: Double, nowMs: Int64) -> Double {
        defer { lastCPU = (cpuSeconds, nowMs) }
        guard let last = lastCPU, nowMs > last.atMs, cpuSeconds >= last.seconds else { return 0 }
        return (cpuSeconds - last.seconds) / (Double(nowMs - last.atMs) / 1000)
    }

    /// Index scores (last heartbeat, ms) at or below this are dead nodes.
    func staleBefore(nowMs: Int64) -> Int64 { nowMs - ttlMs }
}
