import Foundation
import GRDB

/// One line of the audit log: who changed what, when.
public struct AuditEntry: Sendable, Codable, Equatable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var watchlist: String?
    public var subject: String?
    public var detail: String?
}

enum Audit {
    /// Appends inside the caller's transaction, so a change and its audit line commit together.
    static func append(_ db: Database, actor: String, action: String, watchlist: String? = nil,
                       subject: String? = nil, detail: [String: any Sendable] = [:]) throws {
        let json = detail.isEmpty ? nil : (try? JSONSerialization.data(withJSONObject: detail, options: [.sortedKeys, .withoutEscapingSlashes]))
            .flatMap { String(data: $0, encoding: .utf8) }
        var record = AuditRecord(id: nil, at: Date(), actor: actor, action: action, watchlist: watchlist,
                                 subject: subject, detail: json)
        try record.insert(db)
    }
}

extension VigilDatabase {
    /// The newest `limit` audit entries, newest first, optionally for one watchlist.
    public func auditLog(watchlist: String? = nil, limit: Int = 100) throws -> [AuditEntry] {
        try read { db in
            var request = AuditRecord.order(Column("id").desc).limit(limit)
            if let watchlist { request = request.filter(Column("watchlist") == watchlist) }
            return try request.fetchAll(db).map {
                AuditEntry(id: $0.id ?? 0, at: $0.at, actor: $0.actor, action: $0.action, watchlist: $0.watchlist,
                           subject: $0.subject, detail: $0.detail)
            }
        }
    }
}
