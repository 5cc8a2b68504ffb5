import Foundation
import GRDB

/// One change to an alert, in commit order: what a live screen replays after a reconnect.
public struct AlertEvent: Sendable, Equatable, Codable, FetchableRecord {
    public var id: Int64
    public var alertID: Int64
    /// `alert.created`, `alert.updated`, `alert.acknowledged`, `alert.verdict`.
    public var type: String
    public var at: Date
}

/// Which alerts to list, newest first, a page at a time.
public struct AlertQuery: Sendable, Equatable {
    public var camera: String?
    public var watchlist: String?
    public var subject: String?
    public var since: Date?
    public var until: Date?
    public var acknowledged: Bool?
    /// `confirmed`, `rejected`, or `none` for alerts without a verdict.
    public var verdict: String?
    /// Only alerts with an id below this (the previous page's last id): stable paging while new alerts arrive.
    public var before: Int64?
    public var limit: Int

    public init(camera: String? = nil, watchlist: String? = nil, subject: String? = nil, since: Date? = nil, until: Date? = nil,
                acknowledged: Bool? = nil, verdict: String? = nil, before: Int64? = nil, limit: Int = 50) {
        self.camera = camera
        self.watchlist = watchlist
        self.subject = subject
        self.since = since
        self.until = until
        self.acknowledged = acknowledged
        self.verdict = verdict
        self.before = before
        self.limit = limit
    }
}

public enum Verdict: String, Sendable, CaseIterable {
    case confirmed, rejected
}

extension VigilDatabase {
    static func appendEvent(_ db: Database, alert: Int64?, type: String) throws {
        guard let alert else { return }
        try db.execute(sql: "INSERT INTO alertEvent (alertID, type, at) VALUES (?, ?, ?)", arguments: [alert, type, Date()])
    }

    /// Alerts by id, newest first.
    public func alerts(_ query: AlertQuery) throws -> [Alert] {
        try read { db in
            var request = Alert.order(Column("id").desc).limit(max(1, min(query.limit, 1000)))
            if let v = query.camera { request = request.filter(Column("cameraID") == v) }
            if let v = query.watchlist { request = request.filter(Column("watchlist") == v) }
            if let v = query.subject { request = request.filter(Column("subjectID") == v) }
            if let v = query.since { request = request.filter(Column("lastSeen") >= v) }
            if let v = query.until { request = request.filter(Column("firstSeen") <= v) }
            if let v = query.acknowledged { request = request.filter(v ? Column("acknowledgedAt") != nil : Column("acknowledgedAt") == nil) }
            if let v = query.verdict { request = request.filter(v == "none" ? Column("verdict") == nil : Column("verdict") == v) }
            if let v = query.before { request = request.filter(Column("id") < v) }
            return try request.fetchAll(db)
        }
    }

    /// Marks an alert as seen by an operator (idempotent: the first acknowledgement stands); audit-logged.
    @discardableResult
    public func acknowledge(alert id: Int64, actor: String) throws -> Alert {
        try write { db in
            guard var alert = try Alert.fetchOne(db, key: id) else { throw StoreError.alertNotFound(id) }
            guard alert.acknowledgedAt == nil else { return alert }
            alert.acknowledgedAt = Date()
            alert.acknowledgedBy = actor
            try alert.update(db)
            try Self.appendEvent(db, alert: id, type: "alert.acknowledged")
            try Audit.append(db, actor: actor, action: "alert.acknowledge", watchlist: alert.watchlist, subject: alert.subjectID,
                             detail: ["alert": id])
            return alert
        }
    }

    /// Records the operator's verdict (a later verdict replaces an earlier one; both are in the audit log).
    /// A verdict implies acknowledgement.
    @discardableResult
    public func setVerdict(alert id: Int64, verdict: Verdict, comment: String?, actor: String) throws -> Alert {
        if let comment, comment.count > 2000 { throw StoreError.invalidComment }
        return try write { db in
            guard var alert = try Alert.fetchOne(db, key: id) else { throw StoreError.alertNotFound(id) }
            let now = Date()
            if alert.acknowledgedAt == nil {
                alert.acknowledgedAt = now
                alert.acknowledgedBy = actor
            }
            alert.verdict = verdict.rawValue
            alert.verdictComment = comment
            alert.verdictBy = actor
            alert.verdictAt = now
            try alert.update(db)
            try Self.appendEvent(db, alert: id, type: "alert.verdict")
            try Audit.append(db, actor: actor, action: "alert.verdict", watchlist: alert.watchlist, subject: alert.subjectID,
                             detail: ["alert": id, "verdict": verdict.rawValue, "comment": comment ?? ""])
            return alert
        }
    }

    /// Alert events after `id` (0 = from the start), oldest first.
    public func alertEvents(after id: Int64, limit: Int = 500) throws -> [AlertEvent] {
        try read { db in
            try AlertEvent.fetchAll(db, sql: "SELECT id, alertID, type, at FROM alertEvent WHERE id > ? ORDER BY id LIMIT ?",
                                    arguments: [id, limit])
        }
    }

    /// Where an enrolment's image is (for showing the photo an alert matched) and the SHA-256 its
    /// bytes had when enrolled, or nil if the enrolment was removed.
    public func enrolmentImage(id: Int64) throws -> (path: String, sha256: String)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT sourcePath, imageSHA256 FROM enrolment WHERE id = ?", arguments: [id]).map { ($0[0], $0[1]) }
        }
    }

    public func lastAlertEventID() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(id), 0) FROM alertEvent") ?? 0 }
    }
}
