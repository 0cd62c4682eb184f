import Crypto
import Foundation

/// `[turn]` in `sfu.toml`: the TURN relays (coturn) handed to clients, and the secret they
/// share with us. Credentials follow coturn's REST scheme ("TURN REST API",
/// draft-uberti-behave-turn-rest-00 §2, coturn's `use-auth-secret` / `static-auth-secret`):
///
/// - username = "<expiry unix seconds>:<identity>";
/// - password = base64(HMAC-SHA1(secret, username)).
///
/// coturn recomputes the password from the username and refuses (401) a wrong one, or one
/// whose expiry has passed. Nothing about the relay runs here: a relayed peer is an ordinary
/// ICE peer whose address is the relay's.
public struct TURNRelays: Sendable, Equatable {
    /// `turn:` / `turns:` URIs (RFC 7065), e.g. `turn:HOST:3478?transport=udp`.
    public var urls: [String]
    public var secret: String
    /// Seconds a credential is valid for.
    public var ttl: Int

    public static let defaultTTL = 86_400

    public init(urls: [String], secret: String, ttl: Int = TURNRelays.defaultTTL) {
        self.urls = urls
        self.secret = secret
        self.ttl = ttl
    }

    /// What `urls` may hold (RFC 7064 `stun:`/`stuns:`, RFC 7065 `turn:`/`turns:`).
    public static func isICEServerURL(_ url: String) -> Bool {
        ["turn:", "turns:", "stun:", "stuns:"].contains { url.hasPrefix($0) && url.count > $0.count }
    }

    /// A credential for `identity`, valid until `now + ttl`.
    public func credential(identity: String, now: Date) -> (username: String, password: String) {
        let expiry = Int(now.timeIntervalSince1970) + ttl
        let username = "\(expiry):\(identity)"
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(username.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return (username, Data(mac).base64EncodedString())
    }

    /// `JoinResponse.ice_servers` / `ReconnectResponse.ice_servers` for `identity`.
    public func iceServers(identity: String, now: Date) -> [Livekit_ICEServer] {
        let (username, password) = credential(identity: identity, now: now)
        var server = Livekit_ICEServer()
        server.urls = urls
        server.username = username
        server.credential = password
        return [server]
    }

    /// RFC 9725 §4.6: one `Link` header value per URL, for WHIP and WHEP answers.
    public func linkHeaders(identity: String, now: Date) -> [String] {
        let (username, password) = credential(identity: identity, now: now)
        return urls.map { url in
            "<\(url)>; rel=\"ice-server\"; username=\"\(username)\"; credential=\"\(password)\"; credential-type=\"password\""
        }
    }
}
