/// The class bits C1 C0 of the STUN message type (RFC 8489 §5).
public enum STUNClass: UInt8, Sendable {
    case request = 0b00
    case indication = 0b01
    case successResponse = 0b10
    case errorResponse = 0b11
}

/// A 12-bit STUN method (RFC 8489 §5, §18.2).
public struct STUNMethod: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16

    /// Only the low 12 bits are kept: a method is 12 bits wide.
    public init(rawValue: UInt16) { self.rawValue = rawValue & 0x0FFF }

    /// Binding (RFC 8489 §18.2).
    public static let binding = STUNMethod(rawValue: 0x001)
}

/// Packing and unpacking of the 14-bit message type field (RFC 8489 §5, figure 3):
/// M11..M7 C1 M6..M4 C0 M3..M0.
enum STUNMessageType {
    static func encode(method: STUNMethod, messageClass: STUNClass) -> UInt16 {
        let m = method.rawValue
        let c = UInt16(messageClass.rawValue)
        return (m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2)
            | ((c & 0b01) << 4) | ((c & 0b10) << 7)
    }

    static func decode(_ type: UInt16) -> (method: STUNMethod, messageClass: STUNClass) {
        let m = (type & 0x000F) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0F80)
        let c = UInt8(((type >> 4) & 0b01) | ((type >> 7) & 0b10))
        // c is always in 0...3, so the force is total.
        return (STUNMethod(rawValue: m), STUNClass(rawValue: c)!)
    }
}
