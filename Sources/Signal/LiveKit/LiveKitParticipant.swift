import Foundation
import SFU

/// One LiveKit participant on the media loop: identity and grants, its two peer
/// connections (the subscriber PC the server offers, the publisher PC the client offers),
/// the tracks it publishes and the ones it receives. Its signalling socket may come and go
/// (resume); the participant stays until it leaves, its media dies, or it does not come back.
final class LiveKitParticipant {
    let sid = Identifier.participant()
    let identity: String
    var name: String
    var metadata: String
    var attributes: [String: String]
    let kind: Livekit_ParticipantInfo.Kind
    var permission: Livekit_ParticipantPermission
    /// Agents and recorders exist for the others: they do not hold a room open, do not count
    /// toward `max_participants` and do not start its clock (LiveKit `IsDependent`: kind AGENT
    /// or EGRESS, or the `video.agent` / `video.recorder` grant). Fixed at join.
    let isDependent: Bool
    let claims: AccessTokenClaims
    var state: Livekit_ParticipantInfo.State = .joined
    let joinedAt = Date()
    let clientProtocol: Int32
    let autoSubscribe: Bool
    unowned let room: LiveKitRoom
    unowned let service: RoomHost
    private(set) var sink: SignalSink?
    /// When the signalling socket went away without a leave (awaiting a resume).
    var disconnectedAt: Double?
    var version: UInt32 = 1
    let subscriber: PeerConnection
    var publisher: PeerConnection?
    /// Tracks by SID, announced and (once their m-line is negotiated) live.
    var published: [String: PublishedTrackState] = [:]
    /// What we forward to this participant, by track SID.
    var subscriptions: [String: DownTrack] = [:]
    /// Subscriptions whose publishers have not yet been told (`TrackSubscribed`).
    var unconfirmedSubscriptions: Set<String> = []
    var awaitingAnswer = false
    var needsOffer = false
    /// Single peer connection: when we last asked the client to offer (MediaSectionsRequirement)
    /// and have not had its offer since.
    var awaitingOfferSince: Double?
    /// `/rtc/v1`: one peer connection (`subscriber` and `publisher` are the same), offered by the client.
    var isSinglePeer: Bool { subscriber.sendsInAnswers }
    var quality = ConnectionQualityEstimator()
    /// `[limits]` buckets, and the kinds already logged (one warning a participant and kind).
    var rateLimits: ParticipantRateLimits
    var rateLimitLogged: Set<RateLimitCounters.Kind> = []
    var lastQualityTotals: [String: (expected: UInt64, lost: UInt64)] = [:]
    var tokenExpiry: Date
    /// Keeps the peer connections' (weak) observer alive.
    var observerProxy: PeerObserverProxy?
    /// Set while we close our own peer connections, so their close is not taken as media loss.
    var closing = false

    init(identity: String, claims: AccessTokenClaims, clientProtocol: Int32, autoSubscribe: Bool,
         room: LiveKitRoom, service: RoomHost, sink: SignalSink, subscriber: PeerConnection) {
        self.identity = identity
        self.claims = claims
        self.name = claims.name ?? ""
        self.metadata = claims.metadata ?? ""
        self.attributes = claims.attributes ?? [:]
        self.kind = Self.kind(claims.kind)
        self.clientProtocol = clientProtocol
        self.autoSubscribe = autoSubscribe
        self.room = room
        self.service = service
        self.rateLimits = ParticipantRateLimits(service.limits)
        self.sink = sink
        self.subscriber = subscriber
        self.tokenExpiry = claims.exp?.value ?? Date().addingTimeInterval(600)
        self.permission = Self.permission(claims)
        self.isDependent = Self.isDependent(kind: kind, permission: permission)
        LiveObjects.made(.participant)
    }

    deinit { LiveObjects.freed(.participant) }

    /// The permissions a token grants.
    static func permission(_ claims: AccessTokenClaims) -> Livekit_ParticipantPermission {
        var permission = Livekit_ParticipantPermission()
        permission.canSubscribe = claims.canSubscribe
        permission.canPublish = claims.canPublish
        permission.canPublishData = claims.canPublishData
        permission.canPublishSources = (claims.video?.canPublishSources ?? []).compactMap(Self.source)
        permission.hidden = claims.video?.hidden ?? false
        permission.recorder = claims.video?.recorder ?? false
        permission.canUpdateMetadata = claims.video?.canUpdateOwnMetadata ?? false
        permission.agent = claims.video?.agent ?? false
        return permission
    }

    static func kind(_ text: String?) -> Livekit_ParticipantInfo.Kind {
        switch text {
        case "ingress": return .ingress
        case "egress": return .egress
        case "sip": return .sip
        case "agent": return .agent
        default: return .standard
        }
    }

    static func source(_ text: String) -> Livekit_TrackSource? {
        switch text {
        case "camera": return .camera
        case "microphone": return .microphone
        case "screen_share": return .screenShare
        case "screen_share_audio": return .screenShareAudio
        default: return nil
        }
    }

    var isHidden: Bool { permission.hidden }
    static func isDependent(kind: Livekit_ParticipantInfo.Kind, permission: Livekit_ParticipantPermission) -> Bool {
        kind == .agent || kind == .egress || permission.agent || permission.recorder
    }
    var isPublisher: Bool { published.values.contains { $0.media != nil } }
    var isConnected: Bool { sink != nil }

    var info: Livekit_ParticipantInfo {
        var info = Livekit_ParticipantInfo()
        info.sid = sid
        info.identity = identity
        info.state = state
        info.name = name
        info.metadata = metadata
        info.attributes = attributes
        info.kind = kind
        info.joinedAt = Int64(joinedAt.timeIntervalSince1970)
        info.joinedAtMs = Int64(joinedAt.timeIntervalSince1970 * 1000)
        info.version = version
        info.permission = permission
        info.isPublisher = isPublisher
        info.clientProtocol = clientProtocol
        // Every live track must be listed: a track left out counts as unpublished (PROTOCOL.md §5).
        info.tracks = published.values.filter { $0.media != nil }.map(\.info).sorted { $0.sid < $1.sid }
        return info
    }

    /// A peer connection died on its own (ICE consent lost, DTLS failure, never connected):
    /// the participant cannot get media any more, so it is removed even if its socket lingers.
    func peerConnectionClosed(_ peer: PeerConnection, reason: String) {
        guard !closing else { return }
        service.logger.info("room \(room.name): \(identity) lost its media transport: \(reason)")
        var leave = Livekit_LeaveRequest()
        leave.reason = .connectionTimeout
        send(.leave(leave))
        service.removeParticipant(self, now: MediaEngine.now())
    }

    /// A data channel message from this participant (PROTOCOL.md §3).
    func receivedData(_ data: [UInt8], label: String) {
        service.relayData(data, label: label, from: self)
    }

    func send(_ message: Livekit_SignalResponse.OneOf_Message) { sink?.send(message) }

    /// A resumed signalling connection.
    func attach(_ sink: SignalSink) {
        self.sink?.finish()
        self.sink = sink
        disconnectedAt = nil
    }

    func detachSocket(now: Double) {
        sink = nil
        disconnectedAt = now
    }

    /// Closes the socket (after what is queued) and both peer connections.
    func close(now: Double) {
        closing = true
        state = .disconnected
        sink?.finish()
        sink = nil
        publisher?.close(reason: "participant left", now: now)
        subscriber.close(reason: "participant left", now: now)
    }
}
