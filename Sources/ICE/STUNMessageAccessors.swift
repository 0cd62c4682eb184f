/// ERROR-CODE contents (RFC 8489 §14.8).
public struct STUNErrorCode: Sendable, Equatable {
    public var code: Int
    public var reason: String

    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    public static let badRequest = STUNErrorCode(code: 400, reason: "Bad Request")
    public static let unauthenticated = STUNErrorCode(code: 401, reason: "Unauthenticated")
    public static let roleConflict = STUNErrorCode(code: 487, reason: "Role Conflict")
}

/// Typed views of the first attribute of each kind.
extension STUNMessage {
    public var username: String? {
        for case .username(let value) in attributes { return value }
        return nil
    }

    public var software: String? {
        for case .software(let value) in attributes { return value }
        return nil
    }

    public var realm: String? {
        for case .realm(let value) in attributes { return value }
        return nil
    }

    public var nonce: String? {
        for case .nonce(let value) in attributes { return value }
        return nil
    }

    public var priority: UInt32? {
        for case .priority(let value) in attributes { return value }
        return nil
    }

    public var useCandidate: Bool {
        attributes.contains(.useCandidate)
    }

    public var iceControlling: UInt64? {
        for case .iceControlling(let value) in attributes { return value }
        return nil
    }

    public var iceControlled: UInt64? {
        for case .iceControlled(let value) in attributes { return value }
        return nil
    }

    public var xorMappedAddress: TransportAddress? {
        for case .xorMappedAddress(let value) in attributes { return value }
        return nil
    }

    public var mappedAddress: TransportAddress? {
        for case .mappedAddress(let value) in attributes { return value }
        return nil
    }

    public var messageIntegrity: [UInt8]? {
        for case .messageIntegrity(let value) in attributes { return value }
        return nil
    }

    public var fingerprint: UInt32? {
        for case .fingerprint(let value) in attributes { return value }
        return nil
    }

    public var errorCode: STUNErrorCode? {
        for case .errorCode(let code, let reason) in attributes { return STUNErrorCode(code: code, reason: reason) }
        return nil
    }
}
