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

extension AuditRecord {
    /// A new line, stamped now, with `detail` as JSON of sorted keys (the same text in every backend).
    init(actor: String, action: String, watchlist: String? = nil, subject: String? = nil, detail: [String: any Sendable] = [:]) {
        let json = detail.isEmpty ? nil : (try? JSONSerialization.data(withJSONObject: detail, options: [.sortedKeys, .withoutEscapingSlashes]))
            .flatMap { String(data: $0, encoding: .utf8) }
        self.init(id: nil, at: Date(), actor: actor, action: action, watchlist: watchlist, subject: subject, detail: json)
    }
}

enum Audit {
    /// Appends inside the caller's transaction, so a change and its audit line commit together.
    static func append(_ db: Database, actor: String, action: String, watchlist: String? = nil,
                       subject: String? = nil, detail: [String: any Sendable] = [:]) throws {
        var record = AuditRecord(actor: actor, action: action, watchlist: watchlist, subject: subject, detail: detail)
        try record.insert(db)
    }
}
