/// Where a room goes in a deployment (issue 10 part 2), decided from what Redis says: the
/// node recorded for the room, and the live nodes with their load. Pure; `RoomDirectory`
/// reads the inputs and records the outcome atomically.
enum PlacementChoice: Equatable, Sendable {
    /// The room lives on this node (it may be draining: its calls go on there).
    case owner(String)
    /// No live node holds it: place it here, replacing a dead owner's entry if there was one.
    case place(String, replacing: String?)
    /// No live node may take a new room.
    case unavailable

    /// The recorded owner if it is alive; otherwise the least-loaded node that is not
    /// draining (fewest participants, then fewest rooms, then the oldest node).
    static func decide(owner: String?, live: [NodeRecord]) -> PlacementChoice {
        if let owner, live.contains(where: { $0.id == owner }) { return .owner(owner) }
        let open = live.filter { !$0.draining }
        guard let best = open.min(by: { a, b in
            (a.participants, a.rooms, a.startedAtMs, a.id) < (b.participants, b.rooms, b.startedAtMs, b.id)
        }) else { return .unavailable }
        return .place(best.id, replacing: owner)
    }
}
