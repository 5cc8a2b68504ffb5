import Foundation
import VigilCore
import VigilPlates

/// Case records: investigations tying people, vehicles, alerts and incidents together, with a
/// hash-chained journal of notes and attachments. One API with two backends, like
/// `WatchlistStore`; the operations are written once in extensions over each backend's rows
/// (`CaseRows`). A backend keeps attachments its own way: files beside an SQLite database, rows
/// of the shared database on PostgreSQL (every node must read them).
public protocol CaseStore: BackedStore {
    /// Keeps an attachment's bytes under their SHA-256, durably, before the entry naming it commits.
    func storeCaseAttachment(_ data: Data, sha256: String) throws
    /// The stored attachment, nil when it is missing.
    func caseAttachment(sha256: String) throws -> Data?
    /// Forgets stored attachments that no journal entry names any more.
    func removeUnreferencedCaseAttachments(_ sha256s: [String]) throws
}

/// Case rows, inside one transaction.
protocol CaseRows: AuditRows {
    func caseRecord(id: Int64) throws -> CaseRecord?
    func insert(_ record: inout CaseRecord) throws
    func update(_ record: CaseRecord) throws
    func deleteCase(id: Int64) throws
    func touchCase(id: Int64, at date: Date) throws
    /// The attachments of case `id` that no other case's journal names.
    func attachmentsOnlyOf(case id: Int64) throws -> [String]
    func entryCount(case id: Int64) throws -> Int

    func isLinked(case id: Int64, alert: Int64) throws -> Bool
    func link(case id: Int64, alert: Int64, at: Date, by: String) throws
    func incidentExists(id: Int64) throws -> Bool
    func isLinked(case id: Int64, incident: Int64) throws -> Bool
    func link(case id: Int64, incident: Int64, at: Date, by: String) throws
    func hasParty(case id: Int64, kind: CaseParty.Kind, reference: String) throws -> Bool
    func insert(_ party: inout CaseParty) throws

    func lastEntry(case id: Int64) throws -> CaseEntry?
    func insert(_ entry: inout CaseEntry) throws
    func entry(case id: Int64, seq: Int) throws -> CaseEntry?
    /// Every entry (or one case's), by case and sequence.
    func entries(case id: Int64?) throws -> [CaseEntry]
    /// Ids of every case (or just `id`), ascending.
    func caseIDs(only id: Int64?) throws -> [Int64]

    /// A case's people and vehicles, in the order they were added.
    func parties(case id: Int64) throws -> [CaseParty]
    /// Linked alerts by last sighting; linked incidents by occurrence.
    func linkedAlerts(case id: Int64) throws -> [Alert]
    func linkedIncidents(case id: Int64) throws -> [Incident]
    /// Face (and behaviour) alerts of these subjects, newest first.
    func alerts(subjects: [String], limit: Int) throws -> [Alert]
    /// Plate alerts, newest first.
    func plateAlerts(limit: Int) throws -> [Alert]

    /// Cases matching every criterion of `search` but the plate, newest first (no limit).
    func cases(matching search: CaseSearch) throws -> [CaseRecord]
    /// Every plate on a case: its vehicles' and its linked plate alerts'.
    func casePlates() throws -> [(caseID: Int64, plate: String)]
    /// Counts for `caseStatistics`: cases created and alerts raised per period and group.
    func caseCounts(period: CaseStatistics.Period, grouping: CaseStatistics.Grouping, from: Date, to: Date) throws -> [(period: String, group: String, count: Int)]
    func alertCounts(period: CaseStatistics.Period, grouping: CaseStatistics.Grouping, from: Date, to: Date) throws -> [(period: String, group: String, count: Int)]
}

/// Creating, changing, closing and deleting cases, and linking what they concern. Every change
/// and its audit line commit together (action `case.*`, the case id in the detail).
extension CaseStore {
    static var caseTitleLimit: Int { 200 }
    static var caseFieldLimit: Int { 100 }

    public func createCase(_ fields: CaseFields, actor: String) throws -> CaseRecord {
        guard let title = fields.title, let type = fields.type else {
            throw StoreError.invalidCase(field: fields.title == nil ? "title" : "type", reason: "is required")
        }
        try Self.validate(fields)
        return try backend.write(announcing: nil) { rows in
            let record = try Self.insertCase(rows, title: title, type: type, fields, actor: actor, at: Date())
            try rows.append(AuditRecord(actor: actor, action: "case.create",
                                        detail: ["case": record.id!, "title": title, "type": type, "status": record.status.rawValue]))
            return record
        }
    }

    /// Changes the given fields; closing stamps `closedAt`, reopening clears it.
    public func updateCase(_ id: Int64, _ fields: CaseFields, actor: String) throws -> CaseRecord {
        try Self.validate(fields)
        return try backend.write(announcing: nil) { rows in
            var record = try Self.caseRecord(rows, id)
            var changed: [String: any Sendable] = ["case": id]
            if let title = fields.title, title != record.title { record.title = title; changed["title"] = title }
            if let type = fields.type, type != record.type { record.type = type; changed["type"] = type }
            if let assignee = fields.assignee, assignee != record.assignee {
                record.assignee = assignee.isEmpty ? nil : assignee
                changed["assignee"] = assignee
            }
            if let area = fields.area, area != record.area { record.area = area.isEmpty ? nil : area; changed["area"] = area }
            if let status = fields.status, status != record.status {
                record.status = status
                record.closedAt = status == .closed ? Date() : nil
                changed["status"] = status.rawValue
            }
            guard changed.count > 1 else { return record }
            record.updatedAt = Date()
            try rows.update(record)
            try rows.append(AuditRecord(actor: actor, action: fields.status == .closed && changed["status"] != nil ? "case.close" : "case.update",
                                        detail: changed))
            return record
        }
    }

    /// Deletes a case with its journal and links (the linked alerts and incidents stay). Only an
    /// admin may: the CLI is run by whoever administers the database, the API checks the role.
    /// The attachments no other case refers to are removed after the deletion commits; returns
    /// their SHA-256s.
    @discardableResult
    public func deleteCase(_ id: Int64, actor: String) throws -> [String] {
        let files = try backend.write(announcing: nil) { rows in
            let record = try Self.caseRecord(rows, id)
            let files = try rows.attachmentsOnlyOf(case: id)
            let entries = try rows.entryCount(case: id)
            try rows.deleteCase(id: id)
            try rows.append(AuditRecord(actor: actor, action: "case.delete", detail: ["case": id, "title": record.title, "entries": entries]))
            return files
        }
        try removeUnreferencedCaseAttachments(files)
        return files
    }

    /// Links alerts, incidents, people (watchlist subject ids) and vehicles (plates, normalised) to a
    /// case, all or nothing: one unknown alert or bad plate and none of them is linked. Linking
    /// something already on the case is a no-op.
    public func linkToCase(_ id: Int64, _ links: CaseLinks, actor: String) throws {
        let people = try links.people.map { person -> (String, String?) in
            try Validation.name(person.subjectID, kind: "subject id")
            try Validation.text(person.name, field: "name", limit: Validation.displayNameLimit)
            return (person.subjectID, person.name)
        }
        let vehicles = try links.vehicles.map { plate -> String in
            do { return try PlateText.entry(plate) } catch { throw StoreError.invalidPlate("\(plate): \(error)") }
        }
        try backend.write(announcing: nil) { rows in
            _ = try Self.caseRecord(rows, id)
            let now = Date()
            var linked: [String: any Sendable] = ["case": id]
            for alertID in links.alerts {
                guard try rows.alert(id: alertID) != nil else { throw StoreError.alertNotFound(alertID) }
                guard try !rows.isLinked(case: id, alert: alertID) else { continue }
                try rows.link(case: id, alert: alertID, at: now, by: actor)
                linked["alerts"] = (linked["alerts"] as? [Int64] ?? []) + [alertID]
            }
            for incidentID in links.incidents {
                guard try rows.incidentExists(id: incidentID) else { throw StoreError.incidentIDNotFound(incidentID) }
                guard try !rows.isLinked(case: id, incident: incidentID) else { continue }
                try rows.link(case: id, incident: incidentID, at: now, by: actor)
                linked["incidents"] = (linked["incidents"] as? [Int64] ?? []) + [incidentID]
            }
            let parties = people.map { (CaseParty.Kind.person, $0.0, $0.1) } + vehicles.map { (CaseParty.Kind.vehicle, $0, nil as String?) }
            for (kind, reference, name) in parties {
                guard try !rows.hasParty(case: id, kind: kind, reference: reference) else { continue }
                var party = CaseParty(id: nil, caseRecordId: id, kind: kind, reference: reference, name: name, addedAt: now, addedBy: actor)
                try rows.insert(&party)
                let key = kind == .person ? "people" : "vehicles"
                linked[key] = (linked[key] as? [String] ?? []) + [reference]
            }
            guard linked.count > 1 else { return }
            try rows.touchCase(id: id, at: now)
            try rows.append(AuditRecord(actor: actor, action: "case.link", detail: linked))
        }
    }

    /// Opens a case from an alert: the alert is linked with its evidence, and its subject (or
    /// plate) is added as a person (or vehicle), so later alerts for them show on the case.
    public func openCase(fromAlert alertID: Int64, _ fields: CaseFields, actor: String) throws -> CaseRecord {
        guard let alert = try backend.read({ try $0.alert(id: alertID) }) else { throw StoreError.alertNotFound(alertID) }
        var fields = fields
        let plate = alert.kind == "plate" ? (alert.plateText ?? alert.subjectID) : nil
        if fields.title == nil { fields.title = "\(alert.subjectName) on \(alert.cameraID)" }
        if fields.type == nil { fields.type = alert.kind == "plate" ? "vehicle" : "person" }
        try Self.validate(fields)
        return try backend.write(announcing: nil) { rows in
            let now = Date()
            let record = try Self.insertCase(rows, title: fields.title!, type: fields.type!, fields, actor: actor, at: now)
            let id = record.id!
            try rows.link(case: id, alert: alertID, at: now, by: actor)
            var party = plate.map { CaseParty(id: nil, caseRecordId: id, kind: .vehicle, reference: PlateText.normalised($0),
                                              name: nil, addedAt: now, addedBy: actor) }
                ?? CaseParty(id: nil, caseRecordId: id, kind: .person, reference: alert.subjectID, name: alert.subjectName,
                             addedAt: now, addedBy: actor)
            try rows.insert(&party)
            try rows.append(AuditRecord(actor: actor, action: "case.create", subject: plate == nil ? alert.subjectID : nil,
                                        detail: ["case": id, "title": record.title, "type": record.type, "alert": alertID]))
            return record
        }
    }

    /// A new case row (closing stamps `closedAt`); the caller audits it with what else it links.
    private static func insertCase(_ rows: any StoreRows, title: String, type: String, _ fields: CaseFields, actor: String, at now: Date) throws -> CaseRecord {
        var record = CaseRecord(id: nil, title: title, type: type, status: fields.status ?? .open, assignee: fields.assignee,
                                area: fields.area, createdAt: now, createdBy: actor, updatedAt: now,
                                closedAt: fields.status == .closed ? now : nil)
        try rows.insert(&record)
        return record
    }

    static func caseRecord(_ rows: any StoreRows, _ id: Int64) throws -> CaseRecord {
        guard let record = try rows.caseRecord(id: id) else { throw StoreError.caseNotFound(id) }
        return record
    }

    static func validate(_ fields: CaseFields) throws {
        if let title = fields.title {
            guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw StoreError.invalidCase(field: "title", reason: "is empty") }
            try Validation.text(title, field: "case title", limit: caseTitleLimit)
            guard !title.contains("\n") else { throw StoreError.invalidCase(field: "title", reason: "must be one line") }
        }
        if let type = fields.type {
            guard !type.isEmpty else { throw StoreError.invalidCase(field: "type", reason: "is empty") }
            try Validation.text(type, field: "case type", limit: caseFieldLimit)
        }
        if let assignee = fields.assignee, !assignee.isEmpty { try Validation.name(assignee, kind: "assignee") }
        try Validation.text(fields.area, field: "case area", limit: caseFieldLimit)
    }
}
