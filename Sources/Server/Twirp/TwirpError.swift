import Foundation
import Hummingbird

/// A Twirp error: JSON `{"code","msg"}` with the status Twirp assigns to the code
/// (twitchtv/twirp docs/errors.md).
struct TwirpError: Error, Equatable {
    var code: String
    var message: String

    var status: HTTPResponse.Status {
        switch code {
        case "invalid_argument", "malformed", "out_of_range", "failed_precondition": return .badRequest
        case "unauthenticated": return .unauthorized
        case "permission_denied": return .forbidden
        case "not_found", "bad_route": return .notFound
        case "already_exists", "aborted": return .conflict
        case "resource_exhausted": return .tooManyRequests
        case "unimplemented": return .notImplemented
        case "unavailable": return .serviceUnavailable
        default: return .internalServerError
        }
    }

    var response: Response {
        JSONResponse.make(status: status, Body(code: code, msg: message, meta: [:]))
    }

    private struct Body: Encodable {
        var code: String
        var msg: String
        var meta: [String: String]
    }

    static func unauthenticated(_ message: String) -> TwirpError { TwirpError(code: "unauthenticated", message: message) }
    static func permissionDenied(_ message: String) -> TwirpError { TwirpError(code: "permission_denied", message: message) }
    static func malformed(_ message: String) -> TwirpError { TwirpError(code: "malformed", message: message) }
    static func badRoute(_ message: String) -> TwirpError { TwirpError(code: "bad_route", message: message) }
}
