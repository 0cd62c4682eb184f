import CZlib
import Foundation

/// The `join_request` query parameter of `/rtc/v1` (single peer connection): base64 (URL-safe
/// or standard, padded or not) of a `WrappedJoinRequest`, whose `join_request` bytes are a
/// `JoinRequest`, gzip-compressed when `compression` says so (PROTOCOL.md §12).
public enum WrappedJoinRequestDecoder {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case tooLarge(Int)
        case notBase64
        case malformedWrapper
        case badCompression
        case inflatedTooLarge
        case malformedJoinRequest

        public var description: String {
            switch self {
            case .tooLarge(let count): return "join_request is \(count) characters (at most \(WrappedJoinRequestDecoder.maxEncodedLength))"
            case .notBase64: return "join_request is not base64"
            case .malformedWrapper: return "join_request is not a WrappedJoinRequest"
            case .badCompression: return "join_request does not inflate (gzip)"
            case .inflatedTooLarge: return "join_request inflates past \(WrappedJoinRequestDecoder.maxInflatedLength) bytes"
            case .malformedJoinRequest: return "join_request holds no valid JoinRequest"
            }
        }
    }

    /// A request head bounds the query anyway; these bound our work and memory per join.
    public static let maxEncodedLength = 256 * 1024
    public static let maxInflatedLength = 1 << 20

    public static func decode(_ text: String) throws(Failure) -> Livekit_JoinRequest {
        guard text.utf8.count <= maxEncodedLength else { throw .tooLarge(text.utf8.count) }
        guard let bytes = base64Bytes(text) else { throw .notBase64 }
        let wrapped: Livekit_WrappedJoinRequest
        do { wrapped = try Livekit_WrappedJoinRequest(serializedBytes: bytes) } catch { throw .malformedWrapper }
        let inner: [UInt8]
        switch wrapped.compression {
        case .none: inner = Array(wrapped.joinRequest)
        case .gzip: inner = try inflate(Array(wrapped.joinRequest))
        case .UNRECOGNIZED: throw .badCompression
        }
        do { return try Livekit_JoinRequest(serializedBytes: inner) } catch { throw .malformedJoinRequest }
    }

    /// RFC 4648 §5 (URL-safe) or §4, with or without padding.
    static func base64Bytes(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = standard.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { standard += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: standard).map { Array($0) }
    }

    static func inflate(_ compressed: [UInt8], limit: Int = maxInflatedLength) throws(Failure) -> [UInt8] {
        // A join request is a few KiB: start small, grow up to the bound.
        var capacity = min(64 * 1024, limit)
        while true {
            var output = [UInt8](repeating: 0, count: capacity)
            let written = compressed.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    czlib_gunzip(input.baseAddress, input.count, out.baseAddress, out.count)
                }
            }
            if written >= 0 { return Array(output[0..<written]) }
            guard written == -2 else { throw .badCompression }
            guard capacity < limit else { throw .inflatedTooLarge }
            capacity = min(capacity * 4, limit)
        }
    }
}
