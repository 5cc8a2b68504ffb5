import Foundation
import GRDB
import VigilCore

extension Incident: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "incident"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One training run in the registry. `model` holds the library's own serialisation
/// (XGBoost UBJSON or OpenCV YAML); `encoder` the categorical encoding it was trained with.
public struct CrimeModelRecord: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "crimeModel"

    public enum Stage: String, Sendable, Codable, CaseIterable {
        case staging, production, archived
    }

    public var id: Int64?
    public var task: String
    public var version: Int
    public var algorithm: String
    public var stage: Stage
    /// SHA-256 of the training rows as encoded, so two runs on the same data can be told apart from a changed dataset.
    public var dataHash: String
    public var rows: Int
    public var parameters: String
    public var metrics: String
    public var encoder: String
    public var model: Data
    /// Trained with the label's own source among the features (`--allow-leakage`): never promotable.
    public var leakage: Bool
    /// The newest occurrence time among the training rows: drift is measured on incidents after it.
    public var trainedThrough: Date
    public var createdAt: Date
    public var createdBy: String
    public var codeVersion: String
    public var promotedAt: Date?

    public init(task: String, algorithm: String, dataHash: String, rows: Int, parameters: String, metrics: String, encoder: String,
                model: Data, leakage: Bool, trainedThrough: Date, createdBy: String, codeVersion: String, createdAt: Date = Date()) {
        self.task = task
        self.version = 0
        self.algorithm = algorithm
        self.stage = .staging
        self.dataHash = dataHash
        self.rows = rows
        self.parameters = parameters
        self.metrics = metrics
        self.encoder = encoder
        self.model = model
        self.leakage = leakage
        self.trainedThrough = trainedThrough
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.codeVersion = codeVersion
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A stage change, kept for the audit trail (who promoted what, when, and why).
public struct CrimeModelEvent: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "crimeModelEvent"
    public var id: Int64?
    public var crimeModelId: Int64
    public var action: String
    public var actor: String
    public var at: Date
    public var note: String?
}

/// One drift check of a model against recent incidents.
public struct CrimeDriftRecord: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "crimeDrift"
    public var id: Int64?
    public var crimeModelId: Int64
    public var at: Date
    public var recent: Int
    public var threshold: Double
    public var maxPSI: Double
    /// JSON object: feature name to PSI.
    public var features: String
    public var alerted: Bool

    public init(crimeModelId: Int64, at: Date, recent: Int, threshold: Double, maxPSI: Double, features: String, alerted: Bool) {
        self.crimeModelId = crimeModelId
        self.at = at
        self.recent = recent
        self.threshold = threshold
        self.maxPSI = maxPSI
        self.features = features
        self.alerted = alerted
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct IncidentImportOutcome: Sendable, Equatable {
    public var stored: Int
    /// Source ids that were already in the database (left as they were).
    public var alreadyStored: [String]
}

extension VigilDatabase {
    // MARK: Incidents

    /// Stores a cleaned export in one transaction; reports already stored are left untouched.
    public func importIncidents(_ incidents: [Incident]) throws -> IncidentImportOutcome {
        try write { db in
            var outcome = IncidentImportOutcome(stored: 0, alreadyStored: [])
            for var incident in incidents {
                if try Incident.filter(Column("source") == incident.source && Column("sourceID") == incident.sourceID).fetchCount(db) > 0 {
                    outcome.alreadyStored.append(incident.sourceID)
                    continue
                }
                try incident.insert(db)
                outcome.stored += 1
            }
            return outcome
        }
    }

    /// One report from the API.
    public func recordIncident(_ incident: Incident) throws -> Incident {
        try write { db in
            guard try Incident.filter(Column("source") == incident.source && Column("sourceID") == incident.sourceID).fetchCount(db) == 0 else {
                throw StoreError.incidentExists(source: incident.source, id: incident.sourceID)
            }
            var stored = incident
            try stored.insert(db)
            return stored
        }
    }

    /// Outcome feedback (a case solved, a severity confirmed): the next retrain learns from it.
    public func recordOutcome(source: String, sourceID: String, arrest: Bool?, severity: String?, at now: Date = Date()) throws -> Incident {
        try write { db in
            guard var incident = try Incident.filter(Column("source") == source && Column("sourceID") == sourceID).fetchOne(db) else {
                throw StoreError.incidentNotFound(source: source, id: sourceID)
            }
            if let arrest { incident.arrest = arrest }
            if let severity { incident.severity = severity }
            incident.outcomeAt = now
            try incident.update(db)
            return incident
        }
    }

    /// Incidents in id order, optionally by occurrence window and source.
    public func incidents(source: String? = nil, occurredFrom: Date? = nil, occurredBefore: Date? = nil, limit: Int? = nil) throws -> [Incident] {
        try read { db in
            var request = Incident.order(Column("id"))
            if let source { request = request.filter(Column("source") == source) }
            if let occurredFrom { request = request.filter(Column("occurredAt") >= occurredFrom) }
            if let occurredBefore { request = request.filter(Column("occurredAt") < occurredBefore) }
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    /// The newest incidents that occurred after `date`, newest first.
    public func incidents(occurredAfter date: Date, limit: Int) throws -> [Incident] {
        try read { db in
            try Incident.filter(Column("occurredAt") > date).order(Column("occurredAt").desc).limit(limit).fetchAll(db)
        }
    }

    public func incidentCount() throws -> Int { try read { try Incident.fetchCount($0) } }

    // MARK: Model registry

    /// Registers a training run as the task's next version, in staging.
    public func registerModel(_ model: CrimeModelRecord) throws -> CrimeModelRecord {
        try write { db in
            var record = model
            let last = try Int.fetchOne(db, sql: "SELECT MAX(version) FROM crimeModel WHERE task = ?", arguments: [model.task]) ?? 0
            record.version = last + 1
            record.stage = .staging
            try record.insert(db)
            try Self.logModelEvent(db, model: record.id!, action: "registered", actor: model.createdBy, at: model.createdAt, note: nil)
            return record
        }
    }

    public func crimeModels(task: String? = nil) throws -> [CrimeModelRecord] {
        try read { db in
            var request = CrimeModelRecord.order(Column("task"), Column("version").desc)
            if let task { request = request.filter(Column("task") == task) }
            return try request.fetchAll(db)
        }
    }

    public func crimeModel(id: Int64) throws -> CrimeModelRecord {
        guard let model = try read({ try CrimeModelRecord.fetchOne($0, key: id) }) else { throw StoreError.modelNotFound(id) }
        return model
    }

    public func productionModel(task: String) throws -> CrimeModelRecord? {
        try read { try CrimeModelRecord.filter(Column("task") == task && Column("stage") == "production").fetchOne($0) }
    }

    /// Only the id: scoring checks it per request and loads a model's bytes once per version.
    public func productionModelID(task: String) throws -> Int64? {
        try read { try Int64.fetchOne($0, sql: "SELECT id FROM crimeModel WHERE task = ? AND stage = 'production'", arguments: [task]) }
    }

    public func crimeModelEvents(model id: Int64) throws -> [CrimeModelEvent] {
        try read { try CrimeModelEvent.filter(Column("crimeModelId") == id).order(Column("id")).fetchAll($0) }
    }

    /// Makes `id` the task's production model; the one it replaces is archived.
    @discardableResult
    public func promoteModel(id: Int64, actor: String, note: String? = nil, at now: Date = Date()) throws -> CrimeModelRecord {
        try write { db in
            guard var model = try CrimeModelRecord.fetchOne(db, key: id) else { throw StoreError.modelNotFound(id) }
            guard !model.leakage else {
                throw StoreError.stageChange(model: id, reason: "trained with the label's source among its features (leakage); it can never be promoted")
            }
            guard model.stage != .production else { throw StoreError.stageChange(model: id, reason: "already in production") }
            if var current = try CrimeModelRecord.filter(Column("task") == model.task && Column("stage") == "production").fetchOne(db) {
                current.stage = .archived
                try current.update(db)
                try Self.logModelEvent(db, model: current.id!, action: "archived", actor: actor, at: now, note: "replaced by version \(model.version)")
            }
            model.stage = .production
            model.promotedAt = now
            try model.update(db)
            try Self.logModelEvent(db, model: id, action: "promoted", actor: actor, at: now, note: note)
            return model
        }
    }

    /// Takes `id` out of service. Demoting the production model rolls back to the model that
    /// was in production before it (if any), so scoring never silently stops.
    public func demoteModel(id: Int64, actor: String, note: String? = nil, at now: Date = Date()) throws -> (demoted: CrimeModelRecord, restored: CrimeModelRecord?) {
        try write { db in
            guard var model = try CrimeModelRecord.fetchOne(db, key: id) else { throw StoreError.modelNotFound(id) }
            guard model.stage != .archived else { throw StoreError.stageChange(model: id, reason: "already archived") }
            let wasProduction = model.stage == .production
            model.stage = .archived
            try model.update(db)
            try Self.logModelEvent(db, model: id, action: "demoted", actor: actor, at: now, note: note)
            guard wasProduction else { return (model, nil) }
            let previous = try CrimeModelRecord.filter(Column("task") == model.task && Column("id") != id && Column("promotedAt") != nil
                && Column("leakage") == false).order(Column("promotedAt").desc).fetchOne(db)
            guard var restored = previous else { return (model, nil) }
            restored.stage = .production
            restored.promotedAt = now
            try restored.update(db)
            try Self.logModelEvent(db, model: restored.id!, action: "restored", actor: actor, at: now, note: "version \(model.version) demoted")
            return (model, restored)
        }
    }

    private static func logModelEvent(_ db: Database, model: Int64, action: String, actor: String, at: Date, note: String?) throws {
        var event = CrimeModelEvent(crimeModelId: model, action: action, actor: actor, at: at, note: note)
        try event.insert(db)
    }

    // MARK: Drift

    /// Stores a drift check; when it alerts, one `crime.drift` delivery per accepting hook
    /// commits with it, so the alert reaches receivers through the same durable outbox.
    @discardableResult
    public func recordDrift(_ drift: CrimeDriftRecord, model: CrimeModelRecord, routes: [OutboxRoute]) throws -> CrimeDriftRecord {
        try write { db in
            var record = drift
            try record.insert(db)
            guard drift.alerted else { return record }
            let features = (try? JSONDecoder().decode([String: Double].self, from: Data(drift.features.utf8))) ?? [:]
            let payload = HookEvent.Drift(model: model.id ?? 0, task: model.task, version: model.version, threshold: drift.threshold,
                                          maxPsi: drift.maxPSI, recentIncidents: drift.recent,
                                          drifted: features.filter { $0.value > drift.threshold }, psi: features)
            for route in routes where route.filter.accepts(event: "crime.drift", kind: "drift", camera: "", watchlist: "") {
                let id = UUID().uuidString.lowercased()
                var event = HookEvent(type: "crime.drift", id: id, createdAt: drift.at, alert: nil,
                                      message: "input drift on the \(model.task) model v\(model.version): PSI \(String(format: "%.3f", drift.maxPSI)) > \(drift.threshold)")
                event.drift = payload
                var delivery = Delivery(eventID: id, hook: route.hook, type: "crime.drift", payload: try event.json(),
                                        createdAt: drift.at, scheduledAt: drift.at, nextAttemptAt: drift.at)
                try delivery.insert(db)
            }
            return record
        }
    }
}
