import Crypto
import Foundation
import GRDB

/// What a token may do. Viewers read cameras and alerts; case viewers also read case records
/// (confidential: a wall display's viewer token does not see them); operators also acknowledge,
/// give verdicts, edit watchlists and work on cases; admins also manage tokens and hooks and
/// delete cases. Each role can do everything the ones before it can.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case viewer, caseViewer = "case_viewer", `operator`, admin

    /// "viewer, case_viewer, operator or admin", for messages.
    public static var names: String {
        allCases.dropLast().map(\.rawValue).joined(separator: ", ") + " or " + allCases.last!.rawValue
    }

    private var rank: Int { Role.allCases.firstIndex(of: self)! }
    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// An API token as stored: its SHA-256, never the token.
public struct APIToken: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "apiToken"
    public var id: Int64?
    public var name: String
    public var role: Role
    public var tokenSHA256: String
    /// The first characters of the token, to tell tokens apart in listings.
    public var prefix: String
    public var createdAt: Date
    public var createdBy: String
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// `vgl_` and 43 characters of base64url: 256 random bits.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "vgl_" + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// API tokens: created, listed, revoked (audited) and checked on every request. One API with two
/// backends, like `WatchlistStore`; the operations are in the extension below, over each
/// backend's rows.
public protocol TokenStore: BackedStore {}

/// Token rows, inside one transaction.
protocol TokenRows: AuditRows {
    func token(named name: String) throws -> APIToken?
    /// Ordered by name.
    func tokens() throws -> [APIToken]
    func insert(_ token: inout APIToken) throws
    func setRevoked(_ date: Date, token id: Int64) throws
    /// The unrevoked token with this hash.
    func liveToken(sha256: String) throws -> APIToken?
    func tokenIsLive(id: Int64) throws -> Bool
    /// Sets the last use to `date` unless it is already within the minute before.
    func touchToken(id: Int64, at date: Date) throws
}

extension TokenStore {
    /// Creates a token and returns it with the secret, which is not stored and cannot be shown again.
    public func createToken(name: String, role: Role, actor: String) throws -> (token: APIToken, secret: String) {
        try Validation.name(name, kind: "token name")
        let secret = APIToken.generate()
        return try backend.write(announcing: nil) { rows in
            if try rows.token(named: name) != nil { throw StoreError.tokenExists(name) }
            var token = APIToken(id: nil, name: name, role: role, tokenSHA256: APIToken.hash(secret), prefix: String(secret.prefix(8)),
                                 createdAt: Date(), createdBy: actor)
            try rows.insert(&token)
            try rows.append(AuditRecord(actor: actor, action: "token.create", detail: ["token": name, "role": role.rawValue]))
            return (token, secret)
        }
    }

    public func tokens() throws -> [APIToken] {
        try backend.read { rows in try rows.tokens() }
    }

    /// Revokes a token at once (kept for the record; it never authenticates again).
    public func revokeToken(name: String, actor: String) throws {
        try backend.write(announcing: nil) { rows in
            guard let token = try rows.token(named: name) else { throw StoreError.tokenNotFound(name) }
            guard token.revokedAt == nil else { return }
            try rows.setRevoked(Date(), token: token.id!)
            try rows.append(AuditRecord(actor: actor, action: "token.revoke", detail: ["token": name]))
        }
    }

    /// The live token with this secret, or nil.
    public func authenticate(secret: String) throws -> APIToken? {
        try backend.read { rows in try rows.liveToken(sha256: APIToken.hash(secret)) }
    }

    /// Whether the token is still live (not revoked, not deleted): open streams re-check this.
    public func tokenIsLive(id: Int64) throws -> Bool {
        try backend.read { rows in try rows.tokenIsLive(id: id) }
    }

    /// Notes a token's use, at most once a minute per token (no write per request).
    public func touchToken(id: Int64, at date: Date = Date()) throws {
        try backend.write(announcing: nil) { rows in try rows.touchToken(id: id, at: date) }
    }
}
