/// When a room may close (LiveKit `Room.CloseIfEmpty`), as a value without I/O: the first
/// join of an independent participant starts the room's life, every departure restarts the
/// departure clock, and agents and recorders (dependent participants) never hold it open.
struct RoomOccupancy: Equatable {
    let createdAt: Double
    private(set) var firstJoinedAt: Double?
    private(set) var lastDepartureAt: Double?
    private(set) var independent = 0
    private(set) var dependent = 0

    init(createdAt: Double) { self.createdAt = createdAt }

    mutating func joined(dependent isDependent: Bool, now: Double) {
        if isDependent {
            dependent += 1
        } else {
            independent += 1
            if firstJoinedAt == nil { firstJoinedAt = now }
        }
    }

    mutating func left(dependent isDependent: Bool, now: Double) {
        if isDependent { dependent = max(0, dependent - 1) } else { independent = max(0, independent - 1) }
        lastDepartureAt = now
    }

    /// With only dependents (or nobody) left: `departureTimeout` after the last departure once
    /// someone independent has been in, else `emptyTimeout` after creation.
    func shouldClose(now: Double, emptyTimeout: UInt32, departureTimeout: UInt32) -> Bool {
        guard independent == 0 else { return false }
        if firstJoinedAt != nil, let left = lastDepartureAt { return now - left >= Double(departureTimeout) }
        return now - createdAt >= Double(emptyTimeout)
    }
}
