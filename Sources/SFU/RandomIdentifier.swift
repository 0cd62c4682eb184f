/// Random identifiers for sessions, tracks, rooms and recordings: an optional type prefix
/// (LiveKit's `RM_`, `PA_`, `TR_`, `EG_` …) and 12 characters from an alphabet without
/// look-alikes. One generator for every layer.
public enum RandomIdentifier {
    private static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")

    public static func make(_ prefix: String = "") -> String {
        prefix + String((0..<12).map { _ in alphabet.randomElement()! })
    }
}
