import HTTPTypes
import Hummingbird

/// Headers every response carries, errors included: the browser must not guess content types
/// (an uploaded "image" rendered as HTML), frame the page (clickjacking an acknowledge button),
/// or leak API paths through the Referer.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            Self.apply(&response.headers)
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            Self.apply(&response.headers)
            return response
        }
    }

    static func apply(_ headers: inout HTTPFields) {
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        headers[.xFrameOptions] = "DENY"
        if let policy = headers[.contentSecurityPolicy] {
            if !policy.contains("frame-ancestors") { headers[.contentSecurityPolicy] = policy + "; frame-ancestors 'none'" }
        } else {
            headers[.contentSecurityPolicy] = "default-src 'none'; frame-ancestors 'none'"
        }
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
