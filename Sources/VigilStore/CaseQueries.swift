import Foundation
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

extension CaseStore {
    public func caseFile(_ id: Int64) throws -> CaseFile {
        try backend.read { rows in
            let record = try Self.caseRecord(rows, id)
            let parties = try rows.parties(case: id)
            let alerts = try rows.linkedAlerts(case: id)
            let incidents = try rows.linkedIncidents(case: id)
            let entries = try rows.entries(case: id)
            let linked = Set(alerts.compactMap(\.id))
            let subjects = parties.filter { $0.kind == .person }.map(\.reference)
            let plates = parties.filter { $0.kind == .vehicle }.map(\.reference)
            var related = subjects.isEmpty ? [] : try rows.alerts(subjects: subjects, limit: 200)
            if !plates.isEmpty {
                related += try rows.plateAlerts(limit: 5000).filter { alert in
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
        try backend.read { rows in
            _ = try Self.caseRecord(rows, id)
            return try rows.entry(case: id, seq: seq)
        }
    }

    /// Cases matching `search`, newest first.
    public func searchCases(_ search: CaseSearch) throws -> [CaseRecord] {
        try backend.read { rows in
            var cases = try rows.cases(matching: search)
            if let plate = search.plate {
                let wanted = PlateText.normalised(plate)
                let matching = Set(try rows.casePlates().filter { entry in
                    PlateMatcher.editDistance(wanted, PlateText.normalised(entry.plate), limit: search.plateEdits) <= search.plateEdits
                }.map(\.caseID))
                cases = cases.filter { matching.contains($0.id ?? -1) }
            }
            return Array(cases.prefix(search.limit))
        }
    }

    /// Cases created and alerts raised per `period` (days in UTC), by case type, status, or camera
    /// (the camera of a case is that of its linked alerts). For type and status, `alerts` counts
    /// alerts linked to that group's cases; for camera, every alert the camera raised.
    public func caseStatistics(period: CaseStatistics.Period, grouping: CaseStatistics.Grouping,
                               from: Date? = nil, to: Date? = nil) throws -> CaseStatistics {
        let lower = from ?? .distantPast, upper = to ?? .distantFuture
        return try backend.read { rows in
            var counts: [String: [String: (cases: Int, alerts: Int)]] = [:]
            for row in try rows.caseCounts(period: period, grouping: grouping, from: lower, to: upper) {
                counts[row.period, default: [:]][row.group, default: (0, 0)].cases = row.count
            }
            for row in try rows.alertCounts(period: period, grouping: grouping, from: lower, to: upper) {
                counts[row.period, default: [:]][row.group, default: (0, 0)].alerts = row.count
            }
            let rows = counts.flatMap { period, groups in
                groups.map { CaseStatistics.Row(period: period, group: $0.key, cases: $0.value.cases, alerts: $0.value.alerts) }
            }.sorted { ($0.period, $0.group) < ($1.period, $1.group) }
            return CaseStatistics(period: period, grouping: grouping, rows: rows)
        }
    }
}
