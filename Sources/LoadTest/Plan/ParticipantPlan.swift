/// One simulated participant as the plan wants it: where it joins and what it sends.
public struct ParticipantPlan: Sendable, Equatable {
    public var room: String
    public var identity: String
    /// Publishes an Opus track (microphone).
    public var publishesAudio: Bool
    /// Publishes a three-layer VP8 simulcast track (camera).
    public var publishesVideo: Bool
    /// Subscribes to the other participants' tracks (`auto_subscribe=1`).
    public var subscribes: Bool
    /// False under `--muted`: its tracks are announced muted and nothing is sent.
    public var sendsMedia = true

    public var publishes: Bool { publishesAudio || publishesVideo }
}

/// Every participant of a run, in join order: room by room, so each room fills before the next
/// one starts (as calls arrive in production).
public enum LoadTestPlan {
    public static func participants(for options: LoadTestOptions, runID: String) -> [ParticipantPlan] {
        var plans: [ParticipantPlan] = []
        plans.reserveCapacity(options.totalParticipants)
        for index in 0..<options.rooms {
            let room = "load-test-\(runID)-\(index)"
            switch options.profile {
            case .voice:
                plans.append(ParticipantPlan(room: room, identity: "caller-\(index)", publishesAudio: true,
                                             publishesVideo: false, subscribes: true))
                plans.append(ParticipantPlan(room: room, identity: "agent-\(index)", publishesAudio: true,
                                             publishesVideo: false, subscribes: true))
            case .video:
                for publisher in 0..<options.publishersPerRoom {
                    plans.append(ParticipantPlan(room: room, identity: "publisher-\(index)-\(publisher)", publishesAudio: true,
                                                 publishesVideo: true, subscribes: false))
                }
                for subscriber in 0..<options.subscribersPerRoom {
                    plans.append(ParticipantPlan(room: room, identity: "subscriber-\(index)-\(subscriber)", publishesAudio: false,
                                                 publishesVideo: false, subscribes: true))
                }
            }
        }
        if options.muted {
            for index in plans.indices { plans[index].sendsMedia = false }
        }
        return plans
    }

    /// Tracks the plan expects subscribers to receive: for each subscribing participant, every
    /// track the other participants of its room publish.
    public static func expectedSubscribedTracks(_ plans: [ParticipantPlan]) -> Int {
        var tracksByRoom: [String: Int] = [:]
        for plan in plans {
            tracksByRoom[plan.room, default: 0] += (plan.publishesAudio ? 1 : 0) + (plan.publishesVideo ? 1 : 0)
        }
        var total = 0
        for plan in plans where plan.subscribes {
            let own = (plan.publishesAudio ? 1 : 0) + (plan.publishesVideo ? 1 : 0)
            total += (tracksByRoom[plan.room] ?? 0) - own
        }
        return total
    }
}
