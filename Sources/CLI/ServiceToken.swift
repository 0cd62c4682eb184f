import Foundation
import Signal

/// Mints the short-lived token the CLI sends with each API call, carrying only the grant
/// that call needs (the same grants LiveKit's server checks).
public enum ServiceToken {
    /// Lifetime of a per-call token: long enough for a slow call, short enough to be useless if leaked.
    public static let lifetime: TimeInterval = 600

    public static func sign(_ video: VideoGrant, connection: ServerConnection, now: Date = Date()) async throws -> String {
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let claims = AccessTokenClaims.make(
            apiKey: connection.apiKey, identity: nil, name: nil, metadata: nil,
            video: video, notBefore: issued, expires: issued.addingTimeInterval(lifetime)
        )
        return try await AccessTokenSigner.sign(claims, secret: connection.apiSecret)
    }

    /// `roomCreate`: CreateRoom, DeleteRoom.
    public static var roomCreate: VideoGrant { var g = VideoGrant(); g.roomCreate = true; return g }
    /// `roomList`: ListRooms.
    public static var roomList: VideoGrant { var g = VideoGrant(); g.roomList = true; return g }
    /// `roomAdmin` + `room`: participant calls and agent dispatch for one room.
    public static func roomAdmin(_ room: String) -> VideoGrant {
        var g = VideoGrant()
        g.roomAdmin = true
        g.room = room
        return g
    }
}
