import Foundation
import HTTPTypes
import Hummingbird
import VigilConfig
import VigilStore

/// `Authorization: Bearer <token>` on every `/v1` route: 401 without a valid token.
///
/// The token is checked first and only failures are counted: after `limit` failures from one
/// client within `window` seconds, that client's failures get 429 until the window passes,
/// but a valid token always gets through. Were the address checked first, anyone sharing an
/// operator's address (everyone, behind a proxy) could lock every operator out. The client is
/// the socket's peer, or, when that peer is a `trusted_proxies` entry, the nearest untrusted
/// address in `X-Forwarded-For`.
struct Authenticator: RouterMiddleware {
    typealias Context = APIContext
    let store: StoreAccess
    let limiter: FailureLimiter
    let trustedProxies: [AddressBlock]

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let secret = Self.bearer(request.headers[.authorization])
        if let secret, let token = try await store.run({ try $0.authenticate(secret: secret) }) {
            if let id = token.id, limiter.shouldRecordUse(of: id) { _ = try? await store.run { try $0.touchToken(id: id) } }
            var context = context
            context.token = token
            return try await next(request, context)
        }
        let client = ClientAddress.resolve(peer: context.peer ?? "local",
                                           forwardedFor: request.headers[values: .xForwardedFor], trusted: trustedProxies)
        if let wait = limiter.blocked(client) {
            throw HTTPError(.tooManyRequests, headers: [.retryAfter: String(Int(wait.rounded(.up)))],
                            message: "too many failed authentications from this address; retry in \(Int(wait.rounded(.up))) s")
        }
        limiter.fail(client)
        guard secret != nil else {
            throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"],
                            message: "an API token is required: Authorization: Bearer <token> (vigil tokens create)")
        }
        throw HTTPError(.unauthorized, headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""],
                        message: "the token is not valid (unknown or revoked)")
    }

    /// The token in `Authorization`; the scheme is case-insensitive (RFC 7235).
    static func bearer(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let secret = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return secret.isEmpty ? nil : secret
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

/// Who is on the other end, for rate limiting.
enum ClientAddress {
    /// The peer, unless it is a trusted proxy: then `X-Forwarded-For` is walked from the right
    /// (each proxy appends the address it saw) past trusted hops, and the first other address is
    /// the client. Entries a client wrote itself sit further left and are never reached.
    static func resolve(peer: String, forwardedFor: [String], trusted: [AddressBlock]) -> String {
        func isTrusted(_ address: String) -> Bool { trusted.contains { $0.contains(address) } }
        guard isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !isTrusted(hop) {
            return AddressBlock.parse(hop) != nil ? hop : peer
        }
        return hops.first ?? peer
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
