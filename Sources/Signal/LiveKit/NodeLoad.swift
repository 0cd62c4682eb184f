import NIOConcurrencyHelpers

/// What this node is carrying, for `/metrics` and an autoscaler: rooms, participants and
/// tracks, summed over every room host (each counted on its own loop).
public struct NodeLoad: Sendable, Equatable {
    public var rooms = 0
    public var participants = 0
    public var publishedTracks = 0
    /// Down tracks: one per (subscriber, track) being forwarded.
    public var subscribedTracks = 0
    public var agentJobsActive = 0

    public init() {}

    mutating func add(_ other: NodeLoad) {
        rooms += other.rooms
        participants += other.participants
        publishedTracks += other.publishedTracks
        subscribedTracks += other.subscribedTracks
    }
}

/// Join outcomes since start (counters): fresh joins that got a JoinResponse, and joins
/// refused after the token was accepted (room full, node draining, nothing to resume, …).
/// A resume is neither. Touched once per join, never per packet.
public final class JoinCounters: Sendable {
    private let box = NIOLockedValueBox((joined: UInt64(0), failed: UInt64(0)))

    public init() {}

    public func joined() { box.withLockedValue { $0.joined += 1 } }
    public func failed() { box.withLockedValue { $0.failed += 1 } }
    public var totals: (joined: UInt64, failed: UInt64) { box.withLockedValue { $0 } }
}

/// Set when the node drains (SIGTERM): it keeps its rooms but creates no new ones.
public final class DrainFlag: Sendable {
    private let box = NIOLockedValueBox(false)

    public init() {}

    public var isDraining: Bool { box.withLockedValue { $0 } }
    public func set() { box.withLockedValue { $0 = true } }
}

extension RoomHost {
    /// This host's share of the node's load, on its loop.
    var load: NodeLoad {
        shard.eventLoop.preconditionInEventLoop()
        var load = NodeLoad()
        load.rooms = rooms.count
        for room in rooms.values {
            for participant in room.allParticipants {
                load.participants += 1
                load.publishedTracks += participant.published.count
                load.subscribedTracks += participant.subscriptions.count
            }
        }
        return load
    }

    /// Throws when a draining node is asked to create `name` (LiveKit: a draining node takes
    /// no new rooms; the load balancer sends new calls elsewhere).
    func refuseNewRoomWhileDraining(_ name: String) throws {
        guard rooms[name] == nil, drain.isDraining else { return }
        throw AdminError.unavailable("node is draining: room \(name) cannot be created here")
    }
}
