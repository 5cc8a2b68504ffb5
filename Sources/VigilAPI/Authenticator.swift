import Foundation
import Hummingbird
import VigilStore

/// `Authorization: Bearer <token>` on every `/v1` route: 401 without a valid token.
/// After `limit` failures from one address within `window` seconds, that address gets 429
/// until the window passes: guessing 256-bit tokens is hopeless, but a flood of attempts is noise worth stopping.
struct Authenticator: RouterMiddleware {
    typealias Context = APIContext
    let store: StoreAccess
    let limiter: FailureLimiter

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let peer = context.peer ?? "local"
        if let wait = limiter.blocked(peer) {
            throw HTTPError(.tooManyRequests, headers: [.retryAfter: String(Int(wait.rounded(.up)))],
                            message: "too many failed authentications from this address; retry in \(Int(wait.rounded(.up))) s")
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            limiter.fail(peer)
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"],
                            message: "an API token is required: Authorization: Bearer <token> (vigil tokens create)")
        }
        let secret = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let token = try await store.run({ try $0.authenticate(secret: secret) }) else {
            limiter.fail(peer)
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""],
                            message: "the token is not valid (unknown or revoked)")
        }
        if let id = token.id, limiter.shouldRecordUse(of: id) { _ = try? await store.run { try $0.touchToken(id: id) } }
        var context = context
        context.token = token
        return try await next(request, context)
    }
}

public final class FailureLimiter: @unchecked Sendable {
    let limit: Int
    let window: Double
    private let lock = NSLock()
    private var failures: [String: [Date]] = [:]
    private var lastUse: [Int64: Date] = [:]

    public init(limit: Int = 20, window: Double = 60) {
        self.limit = limit
        self.window = window
    }

    func fail(_ peer: String) {
        lock.withLock {
            let now = Date()
            var list = failures[peer, default: []].filter { now.timeIntervalSince($0) < window }
            list.append(now)
            failures[peer] = list
            if failures.count > 10_000 { failures = failures.filter { !$0.value.isEmpty && now.timeIntervalSince($0.value.last!) < window } }
        }
    }

    /// True at most once a minute per token: `lastUsedAt` is for people, and a write per request
    /// would contend with the alert sink for SQLite's single writer.
    func shouldRecordUse(of token: Int64) -> Bool {
        lock.withLock {
            let now = Date()
            if let last = lastUse[token], now.timeIntervalSince(last) < 60 { return false }
            lastUse[token] = now
            return true
        }
    }

    /// Seconds until `peer` may try again, or nil.
    func blocked(_ peer: String) -> Double? {
        lock.withLock {
            let now = Date()
            let recent = failures[peer, default: []].filter { now.timeIntervalSince($0) < window }
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            return window - now.timeIntervalSince(oldest)
        }
    }
}
