import SFU

/// LiveKit-style identifiers: a type prefix (`RM_`, `PA_`, `TR_`, …) and 12 random
/// characters. The SDKs require the prefixes (PROTOCOL.md §2).
enum Identifier {
    static func make(_ prefix: String) -> String { RandomIdentifier.make(prefix) }

    static func room() -> String { make("RM_") }
    static func participant() -> String { make("PA_") }
    static func track() -> String { make("TR_") }
}

/// What the server says about itself (`ServerInfo`, `JoinResponse.server_version`).
public enum ServerIdentity {
    /// Semver ≥ 1.8.0: the Rust SDK refuses RPC to older servers (PROTOCOL.md §2).
    public static let version = "1.9.0"
    public static let protocolVersion: Int32 = 16

    static var info: Livekit_ServerInfo {
        var info = Livekit_ServerInfo()
        info.edition = .standard
        info.version = version
        info.protocol = protocolVersion
        info.nodeID = "sfu-swift"
        return info
    }
}
