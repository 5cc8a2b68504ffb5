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

/// Crime incidents, the model registry (training runs, their stages and history) and drift
/// checks. One API with two backends, like `WatchlistStore`; the operations are written once in
/// the extension below, over each backend's rows (`CrimeRows`).
public protocol CrimeStore: BackedStore {}

/// Crime rows, inside one transaction.
protocol CrimeRows {
    func incident(source: String, sourceID: String) throws -> Incident?
    func insert(_ incident: inout Incident) throws
    func update(_ incident: Incident) throws
    /// In id order.
    func incidents(source: String?, occurredFrom: Date?, occurredBefore: Date?, limit: Int?) throws -> [Incident]
    /// Newest first.
    func incidents(occurredAfter date: Date, limit: Int) throws -> [Incident]
    func incidentCount() throws -> Int

    func lastModelVersion(task: String) throws -> Int
    func insert(_ model: inout CrimeModelRecord) throws
    /// Writes a model's stage and promotion time (nothing else of a registered model changes).
    func updateStage(_ model: CrimeModelRecord) throws
    /// By task, newest version first.
    func crimeModels(task: String?) throws -> [CrimeModelRecord]
    func crimeModel(id: Int64) throws -> CrimeModelRecord?
    func productionModel(task: String) throws -> CrimeModelRecord?
    func productionModelID(task: String) throws -> Int64?
    /// The most recently promoted model of `task` other than `id` that may be promoted (no leakage).
    func previouslyPromoted(task: String, excluding id: Int64) throws -> CrimeModelRecord?
    func insert(_ event: inout CrimeModelEvent) throws
    /// Oldest first.
    func crimeModelEvents(model id: Int64) throws -> [CrimeModelEvent]

    func insert(_ drift: inout CrimeDriftRecord) throws
}

extension CrimeStore {
    // MARK: Incidents

    /// Stores a cleaned export in one transaction; reports already stored are left untouched.
    public func importIncidents(_ incidents: [Incident]) throws -> IncidentImportOutcome {
        try backend.write(announcing: nil) { rows in
            var outcome = IncidentImportOutcome(stored: 0, alreadyStored: [])
            for var incident in incidents {
                if try rows.incident(source: incident.source, sourceID: incident.sourceID) != nil {
                    outcome.alreadyStored.append(incident.sourceID)
                    continue
                }
                try rows.insert(&incident)
                outcome.stored += 1
            }
            return outcome
        }
    }

    /// One report from the API.
    public func recordIncident(_ incident: Incident) throws -> Incident {
        try backend.write(announcing: nil) { rows in
            guard try rows.incident(source: incident.source, sourceID: incident.sourceID) == nil else {
                throw StoreError.incidentExists(source: incident.source, id: incident.sourceID)
            }
            var stored = incident
            try rows.insert(&stored)
            return stored
        }
    }

    /// Outcome feedback (a case solved, a severity confirmed): the next retrain learns from it.
    public func recordOutcome(source: String, sourceID: String, arrest: Bool?, severity: String?, at now: Date = Date()) throws -> Incident {
        try backend.write(announcing: nil) { rows in
            guard var incident = try rows.incident(source: source, sourceID: sourceID) else {
                throw StoreError.incidentNotFound(source: source, id: sourceID)
            }
            if let arrest { incident.arrest = arrest }
            if let severity { incident.severity = severity }
            incident.outcomeAt = now
            try rows.update(incident)
            return incident
        }
    }

    /// Incidents in id order, optionally by occurrence window and source.
    public func incidents(source: String? = nil, occurredFrom: Date? = nil, occurredBefore: Date? = nil, limit: Int? = nil) throws -> [Incident] {
        try backend.read { try $0.incidents(source: source, occurredFrom: occurredFrom, occurredBefore: occurredBefore, limit: limit) }
    }

    /// The newest incidents that occurred after `date`, newest first.
    public func incidents(occurredAfter date: Date, limit: Int) throws -> [Incident] {
        try backend.read { try $0.incidents(occurredAfter: date, limit: limit) }
    }

    public func incidentCount() throws -> Int { try backend.read { try $0.incidentCount() } }

    // MARK: Model registry

    /// Registers a training run as the task's next version, in staging.
    public func registerModel(_ model: CrimeModelRecord) throws -> CrimeModelRecord {
        try backend.write(announcing: nil) { rows in
            var record = model
            record.version = try rows.lastModelVersion(task: model.task) + 1
            record.stage = .staging
            try rows.insert(&record)
            try Self.logModelEvent(rows, model: record.id!, action: "registered", actor: model.createdBy, at: model.createdAt, note: nil)
            return record
        }
    }

    public func crimeModels(task: String? = nil) throws -> [CrimeModelRecord] {
        try backend.read { try $0.crimeModels(task: task) }
    }

    public func crimeModel(id: Int64) throws -> CrimeModelRecord {
        guard let model = try backend.read({ try $0.crimeModel(id: id) }) else { throw StoreError.modelNotFound(id) }
        return model
    }

    public func productionModel(task: String) throws -> CrimeModelRecord? {
        try backend.read { try $0.productionModel(task: task) }
    }

    /// Only the id: scoring checks it per request and loads a model's bytes once per version.
    public func productionModelID(task: String) throws -> Int64? {
        try backend.read { try $0.productionModelID(task: task) }
    }

    public func crimeModelEvents(model id: Int64) throws -> [CrimeModelEvent] {
        try backend.read { try $0.crimeModelEvents(model: id) }
    }

    /// Makes `id` the task's production model; the one it replaces is archived.
    @discardableResult
    public func promoteModel(id: Int64, actor: String, note: String? = nil, at now: Date = Date()) throws -> CrimeModelRecord {
        try backend.write(announcing: nil) { rows in
            guard var model = try rows.crimeModel(id: id) else { throw StoreError.modelNotFound(id) }
            guard !model.leakage else {
                throw StoreError.stageChange(model: id, reason: "trained with the label's source among its features (leakage); it can never be promoted")
            }
            guard model.stage != .production else { throw StoreError.stageChange(model: id, reason: "already in production") }
            if var current = try rows.productionModel(task: model.task) {
                current.stage = .archived
                try rows.updateStage(current)
                try Self.logModelEvent(rows, model: current.id!, action: "archived", actor: actor, at: now, note: "replaced by version \(model.version)")
            }
            model.stage = .production
            model.promotedAt = now
            try rows.updateStage(model)
            try Self.logModelEvent(rows, model: id, action: "promoted", actor: actor, at: now, note: note)
            return model
        }
    }

    /// Takes `id` out of service. Demoting the production model rolls back to the model that
    /// was in production before it (if any), so scoring never silently stops.
    public func demoteModel(id: Int64, actor: String, note: String? = nil, at now: Date = Date()) throws -> (demoted: CrimeModelRecord, restored: CrimeModelRecord?) {
        try backend.write(announcing: nil) { rows in
            guard var model = try rows.crimeModel(id: id) else { throw StoreError.modelNotFound(id) }
            guard model.stage != .archived else { throw StoreError.stageChange(model: id, reason: "already archived") }
            let wasProduction = model.stage == .production
            model.stage = .archived
            try rows.updateStage(model)
            try Self.logModelEvent(rows, model: id, action: "demoted", actor: actor, at: now, note: note)
            guard wasProduction, var restored = try rows.previouslyPromoted(task: model.task, excluding: id) else { return (model, nil) }
            restored.stage = .production
            restored.promotedAt = now
            try rows.updateStage(restored)
            try Self.logModelEvent(rows, model: restored.id!, action: "restored", actor: actor, at: now, note: "version \(model.version) demoted")
            return (model, restored)
        }
    }

    private static func logModelEvent(_ rows: any StoreRows, model: Int64, action: String, actor: String, at: Date, note: String?) throws {
        var event = CrimeModelEvent(crimeModelId: model, action: action, actor: actor, at: at, note: note)
        try rows.insert(&event)
    }

    // MARK: Drift

    /// Stores a drift check; when it alerts, one `crime.drift` delivery per accepting hook
    /// commits with it, so the alert reaches receivers through the same durable outbox.
    @discardableResult
    public func recordDrift(_ drift: CrimeDriftRecord, model: CrimeModelRecord, routes: [OutboxRoute]) throws -> CrimeDriftRecord {
        try backend.write(announcing: nil) { rows in
            var record = drift
            try rows.insert(&record)
            guard drift.alerted else { return record }
            // Drift deliveries join the hooks' queues in commit order, like alerts'.
            try rows.serialiseAlertWrites()
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
                try rows.insert(&delivery)
            }
            return record
        }
    }
}
