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

extension VigilDatabase {
    /// Creates a token and returns it with the secret, which is not stored and cannot be shown again.
    public func createToken(name: String, role: Role, actor: String) throws -> (token: APIToken, secret: String) {
        try Validation.name(name, kind: "token name")
        let secret = APIToken.generate()
        return try write { db in
            if try APIToken.filter(Column("name") == name).fetchCount(db) > 0 { throw StoreError.tokenExists(name) }
            var token = APIToken(id: nil, name: name, role: role, tokenSHA256: APIToken.hash(secret), prefix: String(secret.prefix(8)),
                                 createdAt: Date(), createdBy: actor)
            try token.insert(db)
            try Audit.append(db, actor: actor, action: "token.create", detail: ["token": name, "role": role.rawValue])
            return (token, secret)
        }
    }

    public func tokens() throws -> [APIToken] {
        try read { db in try APIToken.order(Column("name")).fetchAll(db) }
    }

    /// Revokes a token at once (kept for the record; it never authenticates again).
    public func revokeToken(name: String, actor: String) throws {
        try write { db in
            guard var token = try APIToken.filter(Column("name") == name).fetchOne(db) else { throw StoreError.tokenNotFound(name) }
            guard token.revokedAt == nil else { return }
            token.revokedAt = Date()
            try token.update(db)
            try Audit.append(db, actor: actor, action: "token.revoke", detail: ["token": name])
        }
    }

    /// The live token with this secret, or nil.
    public func authenticate(secret: String) throws -> APIToken? {
        try read { db in
            try APIToken.filter(Column("tokenSHA256") == APIToken.hash(secret) && Column("revokedAt") == nil).fetchOne(db)
        }
    }

    /// Whether the token is still live (not revoked, not deleted): open streams re-check this.
    public func tokenIsLive(id: Int64) throws -> Bool {
        try read { db in try APIToken.filter(Column("id") == id && Column("revokedAt") == nil).fetchCount(db) == 1 }
    }

    /// Notes a token's use, at most once a minute per token (no write per request).
    public func touchToken(id: Int64, at date: Date = Date()) throws {
        try write { db in
            try db.execute(sql: "UPDATE apiToken SET lastUsedAt = ? WHERE id = ? AND (lastUsedAt IS NULL OR lastUsedAt < ?)",
                           arguments: [date, id, date.addingTimeInterval(-60)])
        }
    }
}
