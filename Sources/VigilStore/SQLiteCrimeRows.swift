import Foundation
import GRDB
import VigilCore

/// Crime incidents, the model registry and drift checks in SQLite (migration v6).
extension SQLiteRows {
    func incident(source: String, sourceID: String) throws -> Incident? {
        try Incident.filter(Column("source") == source && Column("sourceID") == sourceID).fetchOne(db)
    }

    func insert(_ incident: inout Incident) throws { try incident.insert(db) }
    func update(_ incident: Incident) throws { try incident.update(db) }

    func incidents(source: String?, occurredFrom: Date?, occurredBefore: Date?, limit: Int?) throws -> [Incident] {
        var request = Incident.order(Column("id"))
        if let source { request = request.filter(Column("source") == source) }
        if let occurredFrom { request = request.filter(Column("occurredAt") >= occurredFrom) }
        if let occurredBefore { request = request.filter(Column("occurredAt") < occurredBefore) }
        if let limit { request = request.limit(limit) }
        return try request.fetchAll(db)
    }

    func incidents(occurredAfter date: Date, limit: Int) throws -> [Incident] {
        try Incident.filter(Column("occurredAt") > date).order(Column("occurredAt").desc).limit(limit).fetchAll(db)
    }

    func incidentCount() throws -> Int { try Incident.fetchCount(db) }

    func lastModelVersion(task: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT MAX(version) FROM crimeModel WHERE task = ?", arguments: [task]) ?? 0
    }

    func insert(_ model: inout CrimeModelRecord) throws { try model.insert(db) }

    func updateStage(_ model: CrimeModelRecord) throws {
        try db.execute(sql: "UPDATE crimeModel SET stage = ?, promotedAt = ? WHERE id = ?",
                       arguments: [model.stage.rawValue, model.promotedAt, model.id])
    }

    func crimeModels(task: String?) throws -> [CrimeModelRecord] {
        var request = CrimeModelRecord.order(Column("task"), Column("version").desc)
        if let task { request = request.filter(Column("task") == task) }
        return try request.fetchAll(db)
    }

    func crimeModel(id: Int64) throws -> CrimeModelRecord? { try CrimeModelRecord.fetchOne(db, key: id) }

    func productionModel(task: String) throws -> CrimeModelRecord? {
        try CrimeModelRecord.filter(Column("task") == task && Column("stage") == "production").fetchOne(db)
    }

    func productionModelID(task: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM crimeModel WHERE task = ? AND stage = 'production'", arguments: [task])
    }

    func previouslyPromoted(task: String, excluding id: Int64) throws -> CrimeModelRecord? {
        try CrimeModelRecord.filter(Column("task") == task && Column("id") != id && Column("promotedAt") != nil
            && Column("leakage") == false).order(Column("promotedAt").desc).fetchOne(db)
    }

    func insert(_ event: inout CrimeModelEvent) throws { try event.insert(db) }

    func crimeModelEvents(model id: Int64) throws -> [CrimeModelEvent] {
        try CrimeModelEvent.filter(Column("crimeModelId") == id).order(Column("id")).fetchAll(db)
    }

    func insert(_ drift: inout CrimeDriftRecord) throws { try drift.insert(db) }
}
