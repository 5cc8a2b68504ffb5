import Foundation
import HTTPTypes
import Hummingbird

/// 405 with `Allow` for a known path asked with a method it does not have (the router alone
/// would say 404, which tells a client the path is wrong when only the method is). The
/// paths and methods come from the committed OpenAPI document, so the two cannot drift apart.
struct MethodGuard<Context: RequestContext>: RouterMiddleware {
    let templates: [(segments: [Substring], methods: Set<String>)]

    init(document: Data) {
        let object = (try? JSONSerialization.jsonObject(with: document)) as? [String: Any]
        let paths = object?["paths"] as? [String: [String: Any]] ?? [:]
        templates = paths.map { path, operations in
            (path.split(separator: "/"), Set(operations.keys.map { $0.uppercased() }))
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let segments = request.uri.path.split(separator: "/")
        let method = request.method.rawValue
        if method != "HEAD", method != "OPTIONS",
           let match = Self.mostSpecific(templates.filter { Self.matches($0.segments, segments) }), !match.methods.contains(method) {
            let allow = match.methods.sorted().joined(separator: ", ")
            throw HTTPError(.methodNotAllowed, headers: [.allow: allow], message: "\(method) is not allowed on \(request.uri.path); use \(allow)")
        }
        return try await next(request, context)
    }

    /// `/v1/cases/stats` matches both itself and `/v1/cases/{id}`: the template with the most literal
    /// segments is the one that describes the path.
    static func mostSpecific(_ candidates: [(segments: [Substring], methods: Set<String>)]) -> (segments: [Substring], methods: Set<String>)? {
        candidates.max { a, b in a.segments.filter { !$0.hasPrefix("{") }.count < b.segments.filter { !$0.hasPrefix("{") }.count }
    }

    static func matches(_ template: [Substring], _ path: [Substring]) -> Bool {
        template.count == path.count && zip(template, path).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }
}
