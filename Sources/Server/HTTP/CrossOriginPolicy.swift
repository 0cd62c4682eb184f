import Hummingbird

/// Cross-origin resource sharing the way a LiveKit server allows it: every origin, because the
/// access token is the protection (livekit/livekit `pkg/service/server.go`, PROTOCOL.md §12).
///
/// Web apps on their own origin read `/rtc/validate`, `/rtc/v1/validate` and `/twirp/…` with
/// `fetch`; without these headers the browser hides even a 404 from the page ("Failed to
/// fetch"), and livekit-client cannot tell that it should fall back from `/rtc/v1` to `/rtc`.
///
/// Install it on the router before any route: Hummingbird wraps a route only in the middleware
/// added before it, and its not-found answer in all of it, so unknown paths and methods (such
/// as `OPTIONS` on a `GET` route) are covered too.
enum CrossOriginPolicy {
    static let allowedMethods = "OPTIONS, HEAD, GET, POST, PATCH, DELETE"
    /// How long a browser may cache a preflight answer (seconds).
    static let preflightMaxAge = "86400"

    /// `Access-Control-Allow-Origin`: the request's origin, or `*` when it names none.
    static func allowedOrigin(requestOrigin: String?) -> String {
        guard let origin = requestOrigin, !origin.isEmpty else { return "*" }
        return origin
    }

    /// The headers of a preflight answer. `Access-Control-Allow-Headers: *` is not honoured for
    /// `Authorization` (Fetch standard §3.2.3), so the requested headers are echoed back.
    static func preflightHeaders(_ request: HTTPFields) -> HTTPFields {
        var headers = HTTPFields()
        headers[.accessControlAllowOrigin] = allowedOrigin(requestOrigin: request[.origin])
        headers[.accessControlAllowMethods] = allowedMethods
        let requested = request[values: .accessControlRequestHeaders].joined(separator: ", ")
        headers[.accessControlAllowHeaders] = requested.isEmpty ? "*" : requested
        headers[.accessControlMaxAge] = preflightMaxAge
        headers[.vary] = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        return headers
    }

    /// Adds the headers of an actual (non-preflight) answer, keeping any the route set.
    static func decorate(_ response: inout Response, requestOrigin: String?) {
        response.headers[.accessControlAllowOrigin] = allowedOrigin(requestOrigin: requestOrigin)
        if response.headers[.accessControlExposeHeaders] == nil {
            response.headers[.accessControlExposeHeaders] = "*"
        }
        if requestOrigin != nil { response.headers[values: .vary].append("Origin") }
    }
}

/// `CrossOriginPolicy` as router middleware: answers every `OPTIONS` itself and puts the
/// policy's headers on every other answer, errors (401, 403, 404, 500) included.
struct CrossOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        // A preflight (Fetch standard §3.2.2) is an `OPTIONS`; no route here implements
        // `OPTIONS` itself, so every one is answered as a preflight.
        if request.method == .options {
            return Response(status: .noContent, headers: CrossOriginPolicy.preflightHeaders(request.headers))
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            response = Response(status: .internalServerError)
        }
        CrossOriginPolicy.decorate(&response, requestOrigin: request.headers[.origin])
        return response
    }
}
