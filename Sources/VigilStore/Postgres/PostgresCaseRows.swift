import Foundation
import PostgresNIO
import VigilCore

/// Case records, their links and journal in PostgreSQL (migration `store-5-cases`).
extension PostgresRows {
    private static let caseColumns = "id, title, type, status, assignee, area, createdAt, createdBy, updatedAt, closedAt"

    private func caseRecords(_ query: PostgresQuery) throws -> [CaseRecord] {
        try rows(query).map { row in
            var cells = CellReader(row)
            let id: Int64 = try cells.next(), title: String = try cells.next(), type: String = try cells.next(), status: String = try cells.next()
            guard let status = CaseStatus(rawValue: status) else {
                throw StoreError.database(path: "PostgreSQL", reason: "case \(id) has an unknown status \(status)")
            }
            return CaseRecord(id: id, title: title, type: type, status: status, assignee: try cells.next(), area: try cells.next(),
                              createdAt: try cells.next(), createdBy: try cells.next(), updatedAt: try cells.next(), closedAt: try cells.next())
        }
    }

    func caseRecord(id: Int64) throws -> CaseRecord? {
        try caseRecords("SELECT \(unescaped: Self.caseColumns) FROM caseRecord WHERE id = \(id)").first
    }

    func insert(_ record: inout CaseRecord) throws {
        let r = record
        record.id = try id("""
            INSERT INTO caseRecord (title, type, status, assignee, area, createdAt, createdBy, updatedAt, closedAt)
            VALUES (\(r.title), \(r.type), \(r.status.rawValue), \(r.assignee), \(r.area), \(r.createdAt), \(r.createdBy), \(r.updatedAt),
                    \(r.closedAt))
            RETURNING id
            """)
    }

    func update(_ record: CaseRecord) throws {
        let r = record
        try execute("""
            UPDATE caseRecord SET title = \(r.title), type = \(r.type), status = \(r.status.rawValue), assignee = \(r.assignee),
                   area = \(r.area), updatedAt = \(r.updatedAt), closedAt = \(r.closedAt)
             WHERE id = \(r.id)
            """)
    }

    func deleteCase(id: Int64) throws { try execute("DELETE FROM caseRecord WHERE id = \(id)") }

    func touchCase(id: Int64, at date: Date) throws { try execute("UPDATE caseRecord SET updatedAt = \(date) WHERE id = \(id)") }

    func attachmentsOnlyOf(case id: Int64) throws -> [String] {
        try rows("""
            SELECT DISTINCT fileSHA256 FROM caseEntry WHERE caseRecordId = \(id) AND fileSHA256 IS NOT NULL
               AND fileSHA256 NOT IN (SELECT fileSHA256 FROM caseEntry WHERE caseRecordId <> \(id) AND fileSHA256 IS NOT NULL)
            """).map { try $0.decode(String.self) }
    }

    func entryCount(case id: Int64) throws -> Int { try count("SELECT count(*)::int8 FROM caseEntry WHERE caseRecordId = \(id)") }

    func isLinked(case id: Int64, alert: Int64) throws -> Bool {
        try count("SELECT count(*)::int8 FROM caseAlert WHERE caseRecordId = \(id) AND alertId = \(alert)") > 0
    }

    func link(case id: Int64, alert: Int64, at: Date, by: String) throws {
        try execute("INSERT INTO caseAlert (caseRecordId, alertId, linkedAt, linkedBy) VALUES (\(id), \(alert), \(at), \(by))")
    }

    func incidentExists(id: Int64) throws -> Bool { try count("SELECT count(*)::int8 FROM incident WHERE id = \(id)") > 0 }

    func isLinked(case id: Int64, incident: Int64) throws -> Bool {
        try count("SELECT count(*)::int8 FROM caseIncident WHERE caseRecordId = \(id) AND incidentId = \(incident)") > 0
    }

    func link(case id: Int64, incident: Int64, at: Date, by: String) throws {
        try execute("INSERT INTO caseIncident (caseRecordId, incidentId, linkedAt, linkedBy) VALUES (\(id), \(incident), \(at), \(by))")
    }

    func hasParty(case id: Int64, kind: CaseParty.Kind, reference: String) throws -> Bool {
        try count("SELECT count(*)::int8 FROM caseParty WHERE caseRecordId = \(id) AND kind = \(kind.rawValue) AND reference = \(reference)") > 0
    }

    func insert(_ party: inout CaseParty) throws {
        let p = party
        party.id = try id("""
            INSERT INTO caseParty (caseRecordId, kind, reference, name, addedAt, addedBy)
            VALUES (\(p.caseRecordId), \(p.kind.rawValue), \(p.reference), \(p.name), \(p.addedAt), \(p.addedBy))
            RETURNING id
            """)
    }

    // MARK: Journal

    private static let entryColumns = "id, caseRecordId, seq, kind, author, atMillis, body, fileName, fileSHA256, fileSize, previousHash, hash"

    private func entryRecords(_ query: PostgresQuery) throws -> [CaseEntry] {
        try rows(query).map { row in
            var cells = CellReader(row)
            let id: Int64 = try cells.next(), caseID: Int64 = try cells.next(), seq: Int = try cells.next(), kind: String = try cells.next()
            guard let kind = CaseEntry.Kind(rawValue: kind) else {
                throw StoreError.database(path: "PostgreSQL", reason: "case entry \(id) has an unknown kind \(kind)")
            }
            return CaseEntry(id: id, caseRecordId: caseID, seq: seq, kind: kind, author: try cells.next(), atMillis: try cells.next(),
                             body: try cells.next(), fileName: try cells.next(), fileSHA256: try cells.next(), fileSize: try cells.next(),
                             previousHash: try cells.next(), hash: try cells.next())
        }
    }

    func lastEntry(case id: Int64) throws -> CaseEntry? {
        try entryRecords("SELECT \(unescaped: Self.entryColumns) FROM caseEntry WHERE caseRecordId = \(id) ORDER BY seq DESC LIMIT 1").first
    }

    func insert(_ entry: inout CaseEntry) throws {
        let e = entry
        entry.id = try id("""
            INSERT INTO caseEntry (caseRecordId, seq, kind, author, atMillis, body, fileName, fileSHA256, fileSize, previousHash, hash)
            VALUES (\(e.caseRecordId), \(e.seq), \(e.kind.rawValue), \(e.author), \(e.atMillis), \(e.body), \(e.fileName), \(e.fileSHA256),
                    \(e.fileSize), \(e.previousHash), \(e.hash))
            RETURNING id
            """)
    }

    func entry(case id: Int64, seq: Int) throws -> CaseEntry? {
        try entryRecords("SELECT \(unescaped: Self.entryColumns) FROM caseEntry WHERE caseRecordId = \(id) AND seq = \(seq)").first
    }

    func entries(case id: Int64?) throws -> [CaseEntry] {
        try entryRecords("""
            SELECT \(unescaped: Self.entryColumns) FROM caseEntry WHERE (\(id)::int8 IS NULL OR caseRecordId = \(id))
             ORDER BY caseRecordId, seq
            """)
    }

    func caseIDs(only id: Int64?) throws -> [Int64] {
        try rows("SELECT id FROM caseRecord WHERE (\(id)::int8 IS NULL OR id = \(id)) ORDER BY id").map { try $0.decode(Int64.self) }
    }

    // MARK: What a case file shows

    func parties(case id: Int64) throws -> [CaseParty] {
        try rows("""
            SELECT id, caseRecordId, kind, reference, name, addedAt, addedBy FROM caseParty WHERE caseRecordId = \(id) ORDER BY id
            """).map { row in
            let (id, caseID, kind, reference, name, addedAt, addedBy) = try row.decode((Int64, Int64, String, String, String?, Date, String).self)
            guard let kind = CaseParty.Kind(rawValue: kind) else {
                throw StoreError.database(path: "PostgreSQL", reason: "case party \(id) has an unknown kind \(kind)")
            }
            return CaseParty(id: id, caseRecordId: caseID, kind: kind, reference: reference, name: name, addedAt: addedAt, addedBy: addedBy)
        }
    }

    /// `alertColumns` and `incidentColumns` named by table, for joins.
    private static func qualified(_ columns: String, by table: String) -> String {
        columns.split(separator: ",").map { "\(table)." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")
    }
    private static let linkedAlertColumns = qualified(alertColumns, by: "alert")
    private static let linkedIncidentColumns = qualified(incidentColumns, by: "incident")

    func linkedAlerts(case id: Int64) throws -> [Alert] {
        try alertRecords("""
            SELECT \(unescaped: Self.linkedAlertColumns) FROM alert JOIN caseAlert ON caseAlert.alertId = alert.id
             WHERE caseAlert.caseRecordId = \(id) ORDER BY alert.lastSeen
            """)
    }

    func linkedIncidents(case id: Int64) throws -> [Incident] {
        try incidentRecords("""
            SELECT \(unescaped: Self.linkedIncidentColumns) FROM incident JOIN caseIncident ON caseIncident.incidentId = incident.id
             WHERE caseIncident.caseRecordId = \(id) ORDER BY incident.occurredAt
            """)
    }

    func alerts(subjects: [String], limit: Int) throws -> [Alert] {
        try alertRecords("""
            SELECT \(unescaped: Self.alertColumns) FROM alert WHERE subjectID = ANY(\(subjects)) AND kind <> 'plate'
             ORDER BY lastSeen DESC LIMIT \(limit)
            """)
    }

    func plateAlerts(limit: Int) throws -> [Alert] {
        try alertRecords("SELECT \(unescaped: Self.alertColumns) FROM alert WHERE kind = 'plate' ORDER BY lastSeen DESC LIMIT \(limit)")
    }

    // MARK: Search and statistics

    func cases(matching search: CaseSearch) throws -> [CaseRecord] {
        // ILIKE and lower() where SQLite's LIKE and NOCASE ignore ASCII case; % and _ are the user's letters.
        let pattern = search.text.map { "%" + $0.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%" }
        return try caseRecords("""
            SELECT \(unescaped: Self.caseColumns) FROM caseRecord
             WHERE (\(search.id)::int8 IS NULL OR id = \(search.id))
               AND (\(search.status?.rawValue)::text IS NULL OR status = \(search.status?.rawValue))
               AND (\(search.type)::text IS NULL OR lower(type) = lower(\(search.type)))
               AND (\(search.from)::timestamptz IS NULL OR createdAt >= \(search.from))
               AND (\(search.to)::timestamptz IS NULL OR createdAt < \(search.to))
               AND (\(pattern)::text IS NULL OR title ILIKE \(pattern) OR id IN (
                    SELECT caseRecordId FROM caseParty WHERE kind = 'person' AND (reference ILIKE \(pattern) OR name ILIKE \(pattern))))
               AND (\(search.camera)::text IS NULL OR id IN (
                    SELECT caseRecordId FROM caseAlert JOIN alert ON alert.id = caseAlert.alertId WHERE alert.cameraID = \(search.camera)))
               AND (\(search.area)::text IS NULL OR lower(area) = lower(\(search.area)) OR id IN (
                    SELECT caseRecordId FROM caseIncident JOIN incident ON incident.id = caseIncident.incidentId
                     WHERE lower(incident.area) = lower(\(search.area))))
             ORDER BY createdAt DESC, id DESC
            """)
    }

    func casePlates() throws -> [(caseID: Int64, plate: String)] {
        try rows("""
            SELECT caseRecordId, reference FROM caseParty WHERE kind = 'vehicle'
            UNION ALL SELECT caseAlert.caseRecordId, coalesce(alert.plateText, alert.subjectID) FROM caseAlert
              JOIN alert ON alert.id = caseAlert.alertId WHERE alert.kind = 'plate'
            """).map { row in
            let (id, plate) = try row.decode((Int64, String).self)
            return (id, plate)
        }
    }

    /// Periods in UTC, as SQLite's date functions count them: ISO weeks start on Monday, months on the 1st.
    private static func bucket(_ column: String, _ period: CaseStatistics.Period) -> String {
        let unit = switch period { case .day: "day"; case .week: "week"; case .month: "month" }
        return "to_char(date_trunc('\(unit)', \(column) AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"
    }

    private func counts(_ sql: String, from: Date, to: Date) throws -> [(period: String, group: String, count: Int)] {
        var bindings = PostgresBindings()
        bindings.append(from)
        bindings.append(to)
        return try rows(PostgresQuery(unsafeSQL: sql, binds: bindings)).map { row in
            let (period, group, count) = try row.decode((String, String, Int).self)
            return (period, group, count)
        }
    }

    func caseCounts(period: CaseStatistics.Period, grouping: CaseStatistics.Grouping, from: Date, to: Date) throws -> [(period: String, group: String, count: Int)] {
        switch grouping {
        case .type, .status:
            let column = grouping == .type ? "caseRecord.type" : "caseRecord.status"
            return try counts("""
                SELECT \(Self.bucket("createdAt", period)) AS p, \(column) AS g, count(*)::int8 FROM caseRecord
                 WHERE createdAt >= $1 AND createdAt < $2 GROUP BY p, g
                """, from: from, to: to)
        case .camera:
            return try counts("""
                SELECT \(Self.bucket("caseRecord.createdAt", period)) AS p, alert.cameraID AS g, count(DISTINCT caseRecord.id)::int8 FROM caseRecord
                  JOIN caseAlert ON caseAlert.caseRecordId = caseRecord.id JOIN alert ON alert.id = caseAlert.alertId
                 WHERE caseRecord.createdAt >= $1 AND caseRecord.createdAt < $2 GROUP BY p, g
                """, from: from, to: to)
        }
    }

    func alertCounts(period: CaseStatistics.Period, grouping: CaseStatistics.Grouping, from: Date, to: Date) throws -> [(period: String, group: String, count: Int)] {
        switch grouping {
        case .type, .status:
            let column = grouping == .type ? "caseRecord.type" : "caseRecord.status"
            return try counts("""
                SELECT \(Self.bucket("alert.firstSeen", period)) AS p, \(column) AS g, count(DISTINCT alert.id)::int8 FROM alert
                  JOIN caseAlert ON caseAlert.alertId = alert.id JOIN caseRecord ON caseRecord.id = caseAlert.caseRecordId
                 WHERE alert.firstSeen >= $1 AND alert.firstSeen < $2 GROUP BY p, g
                """, from: from, to: to)
        case .camera:
            return try counts("""
                SELECT \(Self.bucket("firstSeen", period)) AS p, cameraID AS g, count(*)::int8 FROM alert
                 WHERE firstSeen >= $1 AND firstSeen < $2 GROUP BY p, g
                """, from: from, to: to)
        }
    }
}

/// Attachments of a shared installation: rows of the database (every node reads them), written
/// in a transaction of their own before the entry naming them.
extension PostgresStore: CaseStore {
    public func storeCaseAttachment(_ data: Data, sha256: String) throws {
        try transaction(writing: true) { rows in
            try rows.execute("INSERT INTO caseAttachment (sha256, data) VALUES (\(sha256), \(data)) ON CONFLICT (sha256) DO NOTHING")
        }
    }

    public func caseAttachment(sha256: String) throws -> Data? {
        try transaction(writing: false) { rows in
            try rows.rows("SELECT data FROM caseAttachment WHERE sha256 = \(sha256)").first.map { try $0.decode(Data.self) }
        }
    }

    public func removeUnreferencedCaseAttachments(_ sha256s: [String]) throws {
        guard !sha256s.isEmpty else { return }
        try transaction(writing: true) { rows in
            try rows.execute("""
                DELETE FROM caseAttachment WHERE sha256 = ANY(\(sha256s))
                   AND NOT EXISTS (SELECT 1 FROM caseEntry WHERE caseEntry.fileSHA256 = caseAttachment.sha256)
                """)
        }
    }
}
