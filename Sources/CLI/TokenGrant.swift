import Foundation
import Signal

/// One `--grant` of `sfu token create`, named like `lk token create`'s flags.
public enum TokenGrant: String, CaseIterable, Sendable {
    case join
    case publish
    case subscribe
    case publishData = "publish-data"
    case updateMetadata = "update-metadata"
    case admin
    case create
    case list
    case record
    case agent
    case hidden

    /// What a participant token gets when no `--grant` is given.
    public static let defaultGrants: [TokenGrant] = [.join, .publish, .subscribe, .publishData]
}

/// Why a token request was refused before signing.
public enum TokenRequestError: Error, Equatable, Sendable, CustomStringConvertible {
    case roomRequired(TokenGrant)
    case identityRequired

    public var description: String {
        switch self {
        case .roomRequired(let grant): return "--room is required for the \(grant.rawValue) grant"
        case .identityRequired: return "--identity is required for the join grant"
        }
    }
}

/// The inputs of a token, independent of how they were given.
public struct TokenRequest: Sendable, Equatable {
    public var apiKey: String
    public var room: String?
    public var identity: String?
    public var name: String?
    public var metadata: String?
    public var grants: [TokenGrant]
    public var validFor: Int

    public init(
        apiKey: String, room: String? = nil, identity: String? = nil, name: String? = nil,
        metadata: String? = nil, grants: [TokenGrant] = TokenGrant.defaultGrants, validFor: Int = 6 * 3600
    ) {
        self.apiKey = apiKey
        self.room = room
        self.identity = identity
        self.name = name
        self.metadata = metadata
        self.grants = grants
        self.validFor = validFor
    }

    /// The video grant, as LiveKit spells it (PROTOCOL.md §7). With `join`, the publish /
    /// subscribe / data permissions are written out explicitly, because an absent one means
    /// "allowed" to the server and a token asked for without `publish` must not publish.
    public func videoGrant() throws(TokenRequestError) -> VideoGrant {
        let set = Set(grants.isEmpty ? TokenGrant.defaultGrants : grants)
        var video = VideoGrant()
        if set.contains(.join) {
            guard let room, !room.isEmpty else { throw .roomRequired(.join) }
            guard let identity, !identity.isEmpty else { throw .identityRequired }
            video.roomJoin = true
            video.room = room
            video.canPublish = set.contains(.publish)
            video.canSubscribe = set.contains(.subscribe)
            video.canPublishData = set.contains(.publishData)
        } else {
            if set.contains(.publish) { video.canPublish = true }
            if set.contains(.subscribe) { video.canSubscribe = true }
            if set.contains(.publishData) { video.canPublishData = true }
        }
        if set.contains(.admin) {
            guard let room, !room.isEmpty else { throw .roomRequired(.admin) }
            video.roomAdmin = true
            video.room = room
        } else if video.room == nil, let room, !room.isEmpty {
            video.room = room
        }
        if set.contains(.updateMetadata) { video.canUpdateOwnMetadata = true }
        if set.contains(.create) { video.roomCreate = true }
        if set.contains(.list) { video.roomList = true }
        if set.contains(.record) { video.roomRecord = true }
        if set.contains(.agent) { video.agent = true }
        if set.contains(.hidden) { video.hidden = true }
        return video
    }

    /// Claims with `iss` = API key, `sub` = identity, `nbf` = now, `exp` = now + validFor.
    public func claims(now: Date = Date()) throws(TokenRequestError) -> AccessTokenClaims {
        let video = try videoGrant()
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        return AccessTokenClaims.make(
            apiKey: apiKey, identity: identity, name: name, metadata: metadata,
            video: video, notBefore: issued, expires: issued.addingTimeInterval(TimeInterval(validFor))
        )
    }
}
