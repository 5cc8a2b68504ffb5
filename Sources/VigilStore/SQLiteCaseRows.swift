import Foundation
import GRDB
import VigilCore

/// Case records, their links and journal in SQLite (migration v9).
extension SQLiteRows {
    func caseRecord(id: Int64) throws -> CaseRecord? { try CaseRecord.fetchOne(db, key: id) }
    func insert(_ record: inout CaseRecord) throws { try record.insert(db) }
    func update(_ record: CaseRecord) throws { try record.update(db) }
    func deleteCase(id: Int64) throws { _ = try CaseRecord.deleteOne(db, key: id) }

    func touchCase(id: Int64, at date: Date) throws {
        try db.execute(sql: "UPDATE caseRecord SET updatedAt = ? WHERE id = ?", arguments: [date, id])
    }

    func attachmentsOnlyOf(case id: Int64) throws -> [String] {
        try String.fetchAll(db, sql: """
            SELECT DISTINCT fileSHA256 FROM caseEntry WHERE caseRecordId = ? AND fileSHA256 IS NOT NULL
            AND fileSHA256 NOT IN (SELECT fileSHA256 FROM caseEntry WHERE caseRecordId != ? AND fileSHA256 IS NOT NULL)
            """, arguments: [id, id])
    }

    func entryCount(case id: Int64) throws -> Int { try CaseEntry.filter(Column("caseRecordId") == id).fetchCount(db) }

    func isLinked(case id: Int64, alert: Int64) throws -> Bool {
        try CaseAlertLink.filter(Column("caseRecordId") == id && Column("alertId") == alert).fetchCount(db) > 0
    }

    func link(case id: Int64, alert: Int64, at: Date, by: String) throws {
        try CaseAlertLink(caseRecordId: id, alertId: alert, linkedAt: at, linkedBy: by).insert(db)
    }

    func incidentExists(id: Int64) throws -> Bool { try Incident.filter(Column("id") == id).fetchCount(db) > 0 }

    func isLinked(case id: Int64, incident: Int64) throws -> Bool {
        try CaseIncidentLink.filter(Column("caseRecordId") == id && Column("incidentId") == incident).fetchCount(db) > 0
    }

    func link(case id: Int64, incident: Int64, at: Date, by: String) throws {
        try CaseIncidentLink(caseRecordId: id, incidentId: incident, linkedAt: at, linkedBy: by).insert(db)
    }

    func hasParty(case id: Int64, kind: CaseParty.Kind, reference: String) throws -> Bool {
        try CaseParty.filter(Column("caseRecordId") == id && Column("kind") == kind.rawValue && Column("reference") == reference)
            .fetchCount(db) > 0
    }

    func insert(_ party: inout CaseParty) throws { try party.insert(db) }

    func lastEntry(case id: Int64) throws -> CaseEntry? {
        try CaseEntry.filter(Column("caseRecordId") == id).order(Column("seq").desc).fetchOne(db)
    }

    func insert(_ entry: inout CaseEntry) throws { try entry.insert(db) }

    func entry(case id: Int64, seq: Int) throws -> CaseEntry? {
        try CaseEntry.filter(Column("caseRecordId") == id && Column("seq") == seq).fetchOne(db)
    }

    func entries(case id: Int64?) throws -> [CaseEntry] {
        var request = CaseEntry.order(Column("caseRecordId"), Column("seq"))
        if let id { request = request.filter(Column("caseRecordId") == id) }
        return try request.fetchAll(db)
    }

    func caseIDs(only id: Int64?) throws -> [Int64] {
        var request = CaseRecord.select(Column("id"), as: Int64.self).order(Column("id"))
        if let id { request = request.filter(Column("id") == id) }
        return try request.fetchAll(db)
    }

    func parties(case id: Int64) throws -> [CaseParty] {
        try CaseParty.filter(Column("caseRecordId") == id).order(Column("id")).fetchAll(db)
    }

    func linkedAlerts(case id: Int64) throws -> [Alert] {
        try Alert.fetchAll(db, sql: """
            SELECT alert.* FROM alert JOIN caseAlert ON caseAlert.alertId = alert.id
            WHERE caseAlert.caseRecordId = ? ORDER BY alert.lastSeen
            """, arguments: [id])
    }

    func linkedIncidents(case id: Int64) throws -> [Incident] {
        try Incident.fetchAll(db, sql: """
            SELECT incident.* FROM incident JOIN caseIncident ON caseIncident.incidentId = incident.id
            WHERE caseIncident.caseRecordId = ? ORDER BY incident.occurredAt
            """, arguments: [id])
    }

    func alerts(subjects: [String], limit: Int) throws -> [Alert] {
        try Alert.filter(subjects.contains(Column("subjectID")) && Column("kind") != "plate")
            .order(Column("lastSeen").desc).limit(limit).fetchAll(db)
    }

    func plateAlerts(limit: Int) throws -> [Alert] {
        try Alert.filter(Column("kind") == "plate").order(Column("lastSeen").desc).limit(limit).fetchAll(db)
    }

    func cases(matching search: CaseSearch) throws -> [CaseRecord] {
        var request = CaseRecord.order(Column("createdAt").desc, Column("id").desc)
        if let id = search.id { request = request.filter(Column("id") == id) }
        if let status = search.status { request = request.filter(Column("status") == status.rawValue) }
        if let type = search.type { request = request.filter(Column("type").collating(.nocase) == type) }
        if let from = search.from { request = request.filter(Column("createdAt") >= from) }
        if let to = search.to { request = request.filter(Column("createdAt") < to) }
        if let text = search.text {
            // LIKE ignores ASCII case in SQLite; % and _ are the user's letters, not wildcards.
            let pattern = "%" + text.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            request = request.filter(sql: """
                (title LIKE ? OR id IN (SELECT caseRecordId FROM caseParty WHERE kind = 'person' AND (reference LIKE ? OR name LIKE ?)))
                """, arguments: [pattern, pattern, pattern])
        }
        if let camera = search.camera {
            request = request.filter(sql: """
                id IN (SELECT caseRecordId FROM caseAlert JOIN alert ON alert.id = caseAlert.alertId WHERE alert.cameraID = ?)
                """, arguments: [camera])
        }
        if let area = search.area {
            request = request.filter(sql: """
                (area = ? COLLATE NOCASE OR id IN (SELECT caseRecordId FROM caseIncident JOIN incident ON incident.id = caseIncident.incidentId
                 WHERE incident.area = ? COLLATE NOCASE))
                """, arguments: [area, area])
        }
        return try request.fetchAll(db)
    }

    func casePlates() throws -> [(caseID: Int64, plate: String)] {
        try Row.fetchAll(db, sql: """
            SELECT caseRecordId, reference AS plate FROM caseParty WHERE kind = 'vehicle'
            UNION ALL SELECT caseAlert.caseRecordId, COALESCE(alert.plateText, alert.subjectID) FROM caseAlert
            JOIN alert ON alert.id = caseAlert.alertId WHERE alert.kind = 'plate'
            """).map { ($0["caseRecordId"], $0["plate"]) }
    }

    /// SQLite's date functions on GRDB's UTC timestamps: weeks start on Monday, months on the 1st.
    private static func bucket(_ column: String, _ period: CaseStatistics.Period) -> String {
        switch period {
        case .day: return "date(\(column))"
        case .week: return "date(\(column), '-6 days', 'weekday 1')"
        case .month: return "date(\(column), 'start of month')"
        }
    }

    func caseCounts(period: CaseStatistics.Period, grouping: CaseStatistics.Grouping, from: Date, to: Date) throws -> [(period: String, group: String, count: Int)] {
        let sql: String
        switch grouping {
        case .type, .status:
            let column = grouping == .type ? "caseRecord.type" : "caseRecord.status"
            sql = "SELECT \(Self.bucket("createdAt", period)) AS p, \(column) AS g, COUNT(*) AS n FROM caseRecord WHERE createdAt >= ? AND createdAt < ? GROUP BY p, g"
        case .camera:
            sql = """
                SELECT \(Self.bucket("caseRecord.createdAt", period)) AS p, alert.cameraID AS g, COUNT(DISTINCT caseRecord.id) AS n FROM caseRecord
                JOIN caseAlert ON caseAlert.caseRecordId = caseRecord.id JOIN alert ON alert.id = caseAlert.alertId
                WHERE caseRecord.createdAt >= ? AND caseRecord.createdAt < ? GROUP BY p, g
                """
        }
        return try Row.fetchAll(db, sql: sql, arguments: [from, to]).map { ($0["p"], $0["g"], $0["n"]) }
    }

    func alertCounts(period: CaseStatistics.Period, grouping: CaseStatistics.Grouping, from: Date, to: Date) throws -> [(period: String, group: String, count: Int)] {
        let sql: String
        switch grouping {
        case .type, .status:
            let column = grouping == .type ? "caseRecord.type" : "caseRecord.status"
            sql = """
                SELECT \(Self.bucket("alert.firstSeen", period)) AS p, \(column) AS g, COUNT(DISTINCT alert.id) AS n FROM alert
                JOIN caseAlert ON caseAlert.alertId = alert.id JOIN caseRecord ON caseRecord.id = caseAlert.caseRecordId
                WHERE alert.firstSeen >= ? AND alert.firstSeen < ? GROUP BY p, g
                """
        case .camera:
            sql = "SELECT \(Self.bucket("firstSeen", period)) AS p, cameraID AS g, COUNT(*) AS n FROM alert WHERE firstSeen >= ? AND firstSeen < ? GROUP BY p, g"
        }
        return try Row.fetchAll(db, sql: sql, arguments: [from, to]).map { ($0["p"], $0["g"], $0["n"]) }
    }
}

/// Attachments of an SQLite installation: files named by their SHA-256 in `case-files/` beside
/// the database, fsync'd before the entry naming them commits.
extension VigilDatabase: CaseStore {
    /// Where attachments are kept: `case-files/` beside the database.
    public var caseFilesDirectory: String {
        ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("case-files")
    }

    /// The stored attachment with this SHA-256.
    public func caseFilePath(sha256: String) -> String {
        (caseFilesDirectory as NSString).appendingPathComponent(sha256)
    }

    public func storeCaseAttachment(_ data: Data, sha256: String) throws {
        let target = caseFilePath(sha256: sha256)
        if FileManager.default.fileExists(atPath: target) { return }
        do {
            try FileManager.default.createDirectory(atPath: caseFilesDirectory, withIntermediateDirectories: true)
            let temporary = target + ".partial"
            guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                throw StoreError.database(path: temporary, reason: "cannot create the attachment file")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, target) == 0 else {
                throw StoreError.database(path: target, reason: String(cString: strerror(errno)))
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(path: target, reason: "cannot store the attachment: \(error)")
        }
    }

    public func caseAttachment(sha256: String) throws -> Data? {
        FileManager.default.contents(atPath: caseFilePath(sha256: sha256))
    }

    public func removeUnreferencedCaseAttachments(_ sha256s: [String]) throws {
        for sha in sha256s { try? FileManager.default.removeItem(atPath: caseFilePath(sha256: sha)) }
    }
}
