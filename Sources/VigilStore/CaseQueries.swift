import Foundation
import GRDB
import VigilCore
import VigilPlates

/// What to look for: every given criterion must hold.
public struct CaseSearch: Sendable, Equatable {
    public var id: Int64?
    /// In the title, or a person's name or subject id on the case.
    public var text: String?
    /// A vehicle on the case, or a plate alert linked to it, within `plateEdits` edits.
    public var plate: String?
    public var plateEdits = 1
    /// A linked alert from this camera.
    public var camera: String?
    /// The case's area, or a linked incident's.
    public var area: String?
    /// Created in [from, to).
    public var from: Date?
    public var to: Date?
    public var status: CaseStatus?
    public var type: String?
    public var limit = 100

    public init() {}
}

/// Cases and alerts per period, by type, status or camera.
public struct CaseStatistics: Sendable, Equatable, Codable {
    public enum Period: String, Sendable, Codable, CaseIterable { case day, week, month }
    public enum Grouping: String, Sendable, Codable, CaseIterable { case type, status, camera }
    public struct Row: Sendable, Equatable, Codable {
        /// The period's first day, `YYYY-MM-DD` (weeks start on Monday; months on the 1st).
        public var period: String
        public var group: String
        public var cases: Int
        public var alerts: Int
    }
    public var period: Period
    public var grouping: Grouping
    public var rows: [Row]

    /// `period,<grouping>,cases,alerts` rows, the group quoted when it holds a comma, quote or line break.
    public func csv() -> String {
        func cell(_ text: String) -> String {
            text.contains(where: { ",\"\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        return (["period,\(grouping.rawValue),cases,alerts"] + rows.map { "\($0.period),\(cell($0.group)),\($0.cases),\($0.alerts)" })
            .joined(separator: "\n") + "\n"
    }

    /// The counts as a period-by-group matrix (periods and groups sorted; absent pairs are 0),
    /// what a stacked bar chart draws. `alerts` picks alerts instead of cases.
    public func matrix(alerts: Bool = false) -> (periods: [String], groups: [String], values: [[Double]]) {
        let periods = Array(Set(rows.map(\.period))).sorted(), groups = Array(Set(rows.map(\.group))).sorted()
        var values = Array(repeating: Array(repeating: 0.0, count: groups.count), count: periods.count)
        for row in rows {
            values[periods.firstIndex(of: row.period)!][groups.firstIndex(of: row.group)!] = Double(alerts ? row.alerts : row.cases)
        }
        return (periods, groups, values)
    }
}

extension VigilDatabase {
    public func caseFile(_ id: Int64) throws -> CaseFile {
        try read { db in
            let record = try Self.caseRecord(db, id)
            let parties = try CaseParty.filter(Column("caseRecordId") == id).order(Column("id")).fetchAll(db)
            let alerts = try Alert.fetchAll(db, sql: """
                SELECT alert.* FROM alert JOIN caseAlert ON caseAlert.alertId = alert.id
                WHERE caseAlert.caseRecordId = ? ORDER BY alert.lastSeen
                """, arguments: [id])
            let incidents = try Incident.fetchAll(db, sql: """
                SELECT incident.* FROM incident JOIN caseIncident ON caseIncident.incidentId = incident.id
                WHERE caseIncident.caseRecordId = ? ORDER BY incident.occurredAt
                """, arguments: [id])
            let entries = try CaseEntry.filter(Column("caseRecordId") == id).order(Column("seq")).fetchAll(db)
            let linked = Set(alerts.compactMap(\.id))
            let subjects = parties.filter { $0.kind == .person }.map(\.reference)
            let plates = parties.filter { $0.kind == .vehicle }.map(\.reference)
            var related = try Alert.filter(subjects.contains(Column("subjectID")) && Column("kind") != "plate")
                .order(Column("lastSeen").desc).limit(200).fetchAll(db)
            if !plates.isEmpty {
                let plateAlerts = try Alert.filter(Column("kind") == "plate").order(Column("lastSeen").desc).limit(5000).fetchAll(db)
                related += plateAlerts.filter { alert in
                    plates.contains { PlateMatcher.editDistance($0, PlateText.normalised(alert.plateText ?? alert.subjectID), limit: 1) <= 1 }
                }
            }
            related = related.filter { !linked.contains($0.id ?? -1) }.sorted { $0.lastSeen > $1.lastSeen }
            return CaseFile(record: record, parties: parties, alerts: alerts, incidents: incidents, entries: entries,
                            relatedAlerts: related)
        }
    }

    /// One journal entry of a case (nil when the case has no entry `seq`).
    public func caseEntry(_ id: Int64, seq: Int) throws -> CaseEntry? {
        try read { db in
            _ = try Self.caseRecord(db, id)
            return try CaseEntry.filter(Column("caseRecordId") == id && Column("seq") == seq).fetchOne(db)
        }
    }

    /// Cases matching `search`, newest first.
    public func searchCases(_ search: CaseSearch) throws -> [CaseRecord] {
        try read { db in
            var request = CaseRecord.order(Column("createdAt").desc, Column("id").desc)
            if let id = search.id { request = request.filter(Column("id") == id) }
            if let status = search.status { request = request.filter(Column("status") == status.rawValue) }
            if let type = search.type { request = request.filter(Column("type").collating(.nocase) == type) }
            if let from = search.from { request = request.filter(Column("createdAt") >= from) }
            if let to = search.to { request = request.filter(Column("createdAt") < to) }
            if let text = search.text {
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
            var cases = try request.fetchAll(db)
            if let plate = search.plate {
                let wanted = PlateText.normalised(plate)
                let plates = try Row.fetchAll(db, sql: """
                    SELECT caseRecordId, reference AS plate FROM caseParty WHERE kind = 'vehicle'
                    UNION ALL SELECT caseAlert.caseRecordId, COALESCE(alert.plateText, alert.subjectID) FROM caseAlert
                    JOIN alert ON alert.id = caseAlert.alertId WHERE alert.kind = 'plate'
                    """)
                let matching = Set(plates.filter { row in
                    PlateMatcher.editDistance(wanted, PlateText.normalised(row["plate"] as String), limit: search.plateEdits) <= search.plateEdits
                }.map { $0["caseRecordId"] as Int64 })
                cases = cases.filter { matching.contains($0.id ?? -1) }
            }
            return Array(cases.prefix(search.limit))
        }
    }

    /// Cases created and alerts raised per `period`, by case type, status, or camera (the camera of
    /// a case is that of its linked alerts). For type and status, `alerts` counts alerts linked to
    /// that group's cases; for camera, every alert the camera raised.
    public func caseStatistics(period: CaseStatistics.Period, grouping: CaseStatistics.Grouping,
                               from: Date? = nil, to: Date? = nil) throws -> CaseStatistics {
        func bucket(_ column: String) -> String {
            switch period {
            case .day: return "date(\(column))"
            case .week: return "date(\(column), '-6 days', 'weekday 1')"
            case .month: return "date(\(column), 'start of month')"
            }
        }
        let lower = from ?? .distantPast, upper = to ?? .distantFuture
        return try read { db in
            var counts: [String: [String: (cases: Int, alerts: Int)]] = [:]
            let caseSQL: String, alertSQL: String
            switch grouping {
            case .type, .status:
                let column = grouping == .type ? "caseRecord.type" : "caseRecord.status"
                caseSQL = "SELECT \(bucket("createdAt")) AS p, \(column) AS g, COUNT(*) AS n FROM caseRecord WHERE createdAt >= ? AND createdAt < ? GROUP BY p, g"
                alertSQL = """
                    SELECT \(bucket("alert.firstSeen")) AS p, \(column) AS g, COUNT(DISTINCT alert.id) AS n FROM alert
                    JOIN caseAlert ON caseAlert.alertId = alert.id JOIN caseRecord ON caseRecord.id = caseAlert.caseRecordId
                    WHERE alert.firstSeen >= ? AND alert.firstSeen < ? GROUP BY p, g
                    """
            case .camera:
                caseSQL = """
                    SELECT \(bucket("caseRecord.createdAt")) AS p, alert.cameraID AS g, COUNT(DISTINCT caseRecord.id) AS n FROM caseRecord
                    JOIN caseAlert ON caseAlert.caseRecordId = caseRecord.id JOIN alert ON alert.id = caseAlert.alertId
                    WHERE caseRecord.createdAt >= ? AND caseRecord.createdAt < ? GROUP BY p, g
                    """
                alertSQL = "SELECT \(bucket("firstSeen")) AS p, cameraID AS g, COUNT(*) AS n FROM alert WHERE firstSeen >= ? AND firstSeen < ? GROUP BY p, g"
            }
            for row in try Row.fetchAll(db, sql: caseSQL, arguments: [lower, upper]) {
                counts[row["p"], default: [:]][row["g"], default: (0, 0)].cases = row["n"]
            }
            for row in try Row.fetchAll(db, sql: alertSQL, arguments: [lower, upper]) {
                counts[row["p"], default: [:]][row["g"], default: (0, 0)].alerts = row["n"]
            }
            let rows = counts.flatMap { period, groups in
                groups.map { CaseStatistics.Row(period: period, group: $0.key, cases: $0.value.cases, alerts: $0.value.alerts) }
            }.sorted { ($0.period, $0.group) < ($1.period, $1.group) }
            return CaseStatistics(period: period, grouping: grouping, rows: rows)
        }
    }
}
