import Foundation
import GRDB
import VigilCore
import VigilPlates

/// Creating, changing, closing and deleting cases, and linking what they concern. Every change
/// and its audit line commit together (action `case.*`, the case id in the detail).
extension VigilDatabase {
    static let caseTitleLimit = 200
    static let caseFieldLimit = 100

    public func createCase(_ fields: CaseFields, actor: String) throws -> CaseRecord {
        guard let title = fields.title, let type = fields.type else {
            throw StoreError.invalidCase(field: fields.title == nil ? "title" : "type", reason: "is required")
        }
        try Self.validate(fields)
        return try write { db in
            let record = try Self.insertCase(db, title: title, type: type, fields, actor: actor, at: Date())
            try Audit.append(db, actor: actor, action: "case.create",
                             detail: ["case": record.id!, "title": title, "type": type, "status": record.status.rawValue])
            return record
        }
    }

    /// Changes the given fields; closing stamps `closedAt`, reopening clears it.
    public func updateCase(_ id: Int64, _ fields: CaseFields, actor: String) throws -> CaseRecord {
        try Self.validate(fields)
        return try write { db in
            var record = try Self.caseRecord(db, id)
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
            try record.update(db)
            try Audit.append(db, actor: actor, action: fields.status == .closed && changed["status"] != nil ? "case.close" : "case.update",
                             detail: changed)
            return record
        }
    }

    /// Deletes a case with its journal and links (the linked alerts and incidents stay). Only an
    /// admin may: the CLI is run by whoever administers the database, the API checks the role.
    /// Returns the attachment files no other case refers to, for the caller to remove.
    @discardableResult
    public func deleteCase(_ id: Int64, actor: String) throws -> [String] {
        try write { db in
            let record = try Self.caseRecord(db, id)
            let files = try String.fetchAll(db, sql: """
                SELECT DISTINCT fileSHA256 FROM caseEntry WHERE caseRecordId = ? AND fileSHA256 IS NOT NULL
                AND fileSHA256 NOT IN (SELECT fileSHA256 FROM caseEntry WHERE caseRecordId != ? AND fileSHA256 IS NOT NULL)
                """, arguments: [id, id])
            let entries = try CaseEntry.filter(Column("caseRecordId") == id).fetchCount(db)
            _ = try record.delete(db)
            try Audit.append(db, actor: actor, action: "case.delete",
                             detail: ["case": id, "title": record.title, "entries": entries])
            return files
        }
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
        try write { db in
            _ = try Self.caseRecord(db, id)
            let now = Date()
            var linked: [String: any Sendable] = ["case": id]
            for alertID in links.alerts {
                guard try Alert.fetchOne(db, key: alertID) != nil else { throw StoreError.alertNotFound(alertID) }
                guard try CaseAlertLink.filter(Column("caseRecordId") == id && Column("alertId") == alertID).fetchCount(db) == 0 else { continue }
                try CaseAlertLink(caseRecordId: id, alertId: alertID, linkedAt: now, linkedBy: actor).insert(db)
                linked["alerts"] = (linked["alerts"] as? [Int64] ?? []) + [alertID]
            }
            for incidentID in links.incidents {
                guard try Incident.fetchOne(db, key: incidentID) != nil else { throw StoreError.incidentIDNotFound(incidentID) }
                guard try CaseIncidentLink.filter(Column("caseRecordId") == id && Column("incidentId") == incidentID).fetchCount(db) == 0 else { continue }
                try CaseIncidentLink(caseRecordId: id, incidentId: incidentID, linkedAt: now, linkedBy: actor).insert(db)
                linked["incidents"] = (linked["incidents"] as? [Int64] ?? []) + [incidentID]
            }
            let parties = people.map { (CaseParty.Kind.person, $0.0, $0.1) } + vehicles.map { (CaseParty.Kind.vehicle, $0, nil as String?) }
            for (kind, reference, name) in parties {
                guard try CaseParty.filter(Column("caseRecordId") == id && Column("kind") == kind.rawValue
                                           && Column("reference") == reference).fetchCount(db) == 0 else { continue }
                var party = CaseParty(id: nil, caseRecordId: id, kind: kind, reference: reference, name: name, addedAt: now, addedBy: actor)
                try party.insert(db)
                let key = kind == .person ? "people" : "vehicles"
                linked[key] = (linked[key] as? [String] ?? []) + [reference]
            }
            guard linked.count > 1 else { return }
            try Self.touch(db, id)
            try Audit.append(db, actor: actor, action: "case.link", detail: linked)
        }
    }

    /// Opens a case from an alert: the alert is linked with its evidence, and its subject (or
    /// plate) is added as a person (or vehicle), so later alerts for them show on the case.
    public func openCase(fromAlert alertID: Int64, _ fields: CaseFields, actor: String) throws -> CaseRecord {
        guard let alert = try alert(id: alertID) else { throw StoreError.alertNotFound(alertID) }
        var fields = fields
        let plate = alert.kind == "plate" ? (alert.plateText ?? alert.subjectID) : nil
        if fields.title == nil { fields.title = "\(alert.subjectName) on \(alert.cameraID)" }
        if fields.type == nil { fields.type = alert.kind == "plate" ? "vehicle" : "person" }
        try Self.validate(fields)
        return try write { db in
            let now = Date()
            let record = try Self.insertCase(db, title: fields.title!, type: fields.type!, fields, actor: actor, at: now)
            let id = record.id!
            try CaseAlertLink(caseRecordId: id, alertId: alertID, linkedAt: now, linkedBy: actor).insert(db)
            var party = plate.map { CaseParty(id: nil, caseRecordId: id, kind: .vehicle, reference: PlateText.normalised($0),
                                              name: nil, addedAt: now, addedBy: actor) }
                ?? CaseParty(id: nil, caseRecordId: id, kind: .person, reference: alert.subjectID, name: alert.subjectName,
                             addedAt: now, addedBy: actor)
            try party.insert(db)
            try Audit.append(db, actor: actor, action: "case.create", subject: plate == nil ? alert.subjectID : nil,
                             detail: ["case": id, "title": record.title, "type": record.type, "alert": alertID])
            return record
        }
    }

    /// A new case row (closing stamps `closedAt`); the caller audits it with what else it links.
    private static func insertCase(_ db: Database, title: String, type: String, _ fields: CaseFields, actor: String, at now: Date) throws -> CaseRecord {
        var record = CaseRecord(id: nil, title: title, type: type, status: fields.status ?? .open, assignee: fields.assignee,
                                area: fields.area, createdAt: now, createdBy: actor, updatedAt: now,
                                closedAt: fields.status == .closed ? now : nil)
        try record.insert(db)
        return record
    }

    static func caseRecord(_ db: Database, _ id: Int64) throws -> CaseRecord {
        guard let record = try CaseRecord.fetchOne(db, key: id) else { throw StoreError.caseNotFound(id) }
        return record
    }

    static func touch(_ db: Database, _ id: Int64) throws {
        try db.execute(sql: "UPDATE caseRecord SET updatedAt = ? WHERE id = ?", arguments: [Date(), id])
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
