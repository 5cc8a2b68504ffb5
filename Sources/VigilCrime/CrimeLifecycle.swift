import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilStore

/// What the registry keeps beside a model's bytes: the encoding it was trained with and
/// the training data's input distribution (for drift).
public struct ModelEncoding: Sendable, Codable, Equatable {
    public var encoder: FeatureEncoder
    public var baseline: DriftBaseline
}

/// A severity (or arrest) score with the model that gave it and that model's measured figures.
public struct CrimeScore: Sendable, Codable, Equatable {
    public struct ModelRef: Sendable, Codable, Equatable {
        public var id: Int64
        public var task: String
        public var version: Int
        public var algorithm: String
        public var cvMacroF1: Double
        public var holdoutMacroF1: Double
        public var forwardMacroF1: Double?
    }

    public var task: String
    public var predicted: String
    public var probability: Double
    public var probabilities: [String: Double]
    public var model: ModelRef
    public var note: String
}

/// Import, training, registry, scoring, the scheduled retrain and drift checks over one
/// database. Synchronous and not thread-safe (XGBoost, OpenCV): the daemon calls it from
/// one serial queue, the CLI from its main thread.
public final class CrimeLifecycle {
    public let database: any CrimeStore
    let logger: Logger
    /// Models loaded for scoring, by registry id (a registered model never changes).
    private var loaded: [Int64: (record: CrimeModelRecord, classifier: Classifier, report: TrainingReport)] = [:]

    public static let note = "Decision support, not a verdict: a statistical score from past reports, with the validation figures above. It says nothing certain about this incident or any person."

    public init(database: any CrimeStore, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    // MARK: Data

    /// Reads, cleans and stores an export in one transaction; the report says what was dropped and why.
    public func importFile(_ path: String, mapping: IncidentMapping) throws -> CleaningReport {
        let result = try IncidentImporter(mapping: mapping).read(path: path)
        let outcome = try database.importIncidents(result.incidents)
        var report = result.report
        report.stored = outcome.stored
        if !outcome.alreadyStored.isEmpty { report.drop(.alreadyStored, line: nil, count: outcome.alreadyStored.count) }
        logger.info("crime import", metadata: ["file": "\(path)", "read": "\(report.rowsRead)", "stored": "\(report.stored)"])
        return report
    }

    // MARK: Training

    /// The same 20% of every labelled incident, for every model of a task: what models are compared on.
    func comparisonSplit(task: CrimeTask, seed: UInt64) throws -> (pool: [Incident], heldOut: [Incident]) {
        let (incidents, targets) = Trainer.labelled(try database.incidents(), task: task)
        let (train, test) = Trainer.split(incidents, targets: targets, seed: seed)
        return (train.map { incidents[$0] }, test.map { incidents[$0] })
    }

    /// Trains, measures and registers a model in staging. `occurredBefore`/`occurredFrom` restrict
    /// the training rows (never the held-out set, which stays the task's common 20%).
    public func train(_ options: TrainingOptions, actor: String, occurredFrom: Date? = nil, occurredBefore: Date? = nil)
        throws -> (CrimeModelRecord, TrainingReport) {
        let (pool, heldOut) = try comparisonSplit(task: options.task, seed: options.seed)
        let used = pool.filter { i in (occurredFrom.map { i.occurredAt >= $0 } ?? true) && (occurredBefore.map { i.occurredAt < $0 } ?? true) }
        let (classifier, report) = try Trainer.train(pool: used, heldOut: heldOut, options: options)
        let training = Trainer.labelled(used, task: options.task).incidents
        let encoding = ModelEncoding(encoder: classifier.encoder, baseline: DriftBaseline(encoder: classifier.encoder, incidents: training))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let record = try database.registerModel(CrimeModelRecord(
            task: options.task.name, algorithm: options.algorithm.rawValue, dataHash: report.dataHash, rows: report.trainingRows,
            parameters: String(decoding: try encoder.encode(report.parameters), as: UTF8.self),
            metrics: String(decoding: try encoder.encode(report), as: UTF8.self),
            encoder: String(decoding: try encoder.encode(encoding), as: UTF8.self), model: try classifier.serialized(),
            leakage: report.leakage, trainedThrough: report.trainedThrough, createdBy: actor, codeVersion: CodeVersion.current))
        logger.info("crime model registered", metadata: ["task": "\(options.task.name)", "version": "\(record.version)",
                                                          "cv.macroF1": "\(report.crossValidation.meanMacroF1)"])
        return (record, report)
    }

    public static func report(of record: CrimeModelRecord) throws -> TrainingReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(TrainingReport.self, from: Data(record.metrics.utf8))
    }

    public static func encoding(of record: CrimeModelRecord) throws -> ModelEncoding {
        try JSONDecoder().decode(ModelEncoding.self, from: Data(record.encoder.utf8))
    }

    func classifier(_ record: CrimeModelRecord) throws -> Classifier {
        if let id = record.id, let cached = loaded[id] { return cached.classifier }
        return try Self.load(record)
    }

    static func load(_ record: CrimeModelRecord) throws -> Classifier {
        guard let algorithm = Algorithm(rawValue: record.algorithm) else {
            throw CrimeError.noModel("crime model \(record.id ?? 0): unknown algorithm '\(record.algorithm)'")
        }
        return try Classifier(algorithm: algorithm, parameters: try JSONDecoder().decode(Hyperparameters.self, from: Data(record.parameters.utf8)),
                              encoder: try Self.encoding(of: record).encoder, model: record.model)
    }

    /// The task's production model, loaded once per version: a request costs one indexed id lookup.
    func productionForScoring(_ task: String) throws -> (record: CrimeModelRecord, classifier: Classifier, report: TrainingReport) {
        guard let id = try database.productionModelID(task: task) else { throw Self.noProduction(task) }
        if let cached = loaded[id] { return cached }
        let record = try database.crimeModel(id: id)
        let entry = (record, try Self.load(record), try Self.report(of: record))
        loaded = [id: entry] // scoring needs only the current models; old versions are released
        return entry
    }

    /// Metrics of a registered model on the task's current held-out 20%.
    public func evaluate(_ record: CrimeModelRecord, seed: UInt64 = 42) throws -> ClassificationMetrics {
        let task = try CrimeTask.named(record.task)
        let (_, heldOut) = try comparisonSplit(task: task, seed: seed)
        let (test, targets) = Trainer.labelled(heldOut, task: task)
        guard !test.isEmpty else { throw CrimeError.notEnoughData("no labelled incidents held out for the \(task.name) task") }
        return ClassificationMetrics(truth: targets, probabilities: try classifier(record).probabilities(test), classNames: task.classes)
    }

    // MARK: Scoring

    func production(_ task: String) throws -> CrimeModelRecord {
        guard let record = try database.productionModel(task: task) else { throw Self.noProduction(task) }
        return record
    }

    static func noProduction(_ task: String) -> CrimeError {
        .noModel("no \(task) model is in production: train one (`vigil crime train --task \(task)`) and promote it (`vigil crime promote ID`)")
    }

    /// Scores one incident JSON with the task's production model.
    public func score(json: Data, task: String) throws -> CrimeScore {
        let (record, classifier, report) = try productionForScoring(task)
        let incident = try IncidentJSON.parse(json, requireID: false, required: classifier.encoder.requiredFields)
        let task = try CrimeTask.named(record.task)
        let p = try classifier.probabilities([incident])[0]
        return CrimeScore(task: task.name, predicted: p >= 0.5 ? task.positive : task.negative, probability: p,
                          probabilities: [task.positive: p, task.negative: 1 - p],
                          model: .init(id: record.id ?? 0, task: record.task, version: record.version, algorithm: record.algorithm,
                                       cvMacroF1: report.crossValidation.meanMacroF1, holdoutMacroF1: report.holdout.macroF1,
                                       forwardMacroF1: report.forward?.metrics.macroF1),
                          note: Self.note)
    }

    // MARK: Scheduled retrain

    public struct RetrainOutcome: Sendable, Codable, Equatable {
        public var task: String
        public var candidate: Int64
        public var candidateVersion: Int
        public var candidateMacroF1: Double
        public var production: Int64?
        public var productionMacroF1: Double?
        public var promoted: Bool
        public var reason: String
    }

    /// Retrains with the production model's algorithm, features and hyperparameters on every labelled
    /// incident (outcome feedback included), and promotes the candidate only if it is not worse
    /// than production on the same held-out set. A failed run changes nothing.
    public func retrain(task: CrimeTask, actor: String = "scheduler", tolerance: Double = 0, occurredBefore: Date? = nil) throws -> RetrainOutcome {
        let current = try database.productionModel(task: task.name)
        var options = TrainingOptions(task: task, grid: current == nil)
        if let current, let algorithm = Algorithm(rawValue: current.algorithm) {
            options.algorithm = algorithm
            options.features = try Self.encoding(of: current).encoder.groups
            options.parameters = try JSONDecoder().decode(Hyperparameters.self, from: Data(current.parameters.utf8))
        }
        let (candidate, report) = try train(options, actor: actor, occurredBefore: occurredBefore)
        guard let current else {
            return RetrainOutcome(task: task.name, candidate: candidate.id!, candidateVersion: candidate.version, candidateMacroF1: report.holdout.macroF1,
                                  production: nil, productionMacroF1: nil, promoted: false,
                                  reason: "no production model to compare with: promote one with `vigil crime promote`")
        }
        let incumbent = try evaluate(current).macroF1
        let better = report.holdout.macroF1 >= incumbent - tolerance
        if better {
            try database.promoteModel(id: candidate.id!, actor: actor,
                                      note: String(format: "scheduled retrain: held-out macro-F1 %.4f vs %.4f", report.holdout.macroF1, incumbent))
        }
        logger.info("crime retrain", metadata: ["task": "\(task.name)", "candidate": "\(candidate.version)", "promoted": "\(better)"])
        return RetrainOutcome(task: task.name, candidate: candidate.id!, candidateVersion: candidate.version, candidateMacroF1: report.holdout.macroF1,
                              production: current.id, productionMacroF1: incumbent, promoted: better,
                              reason: better ? "not worse on the held-out set: promoted"
                                  : String(format: "worse on the held-out set (macro-F1 %.4f < %.4f): left in staging", report.holdout.macroF1, incumbent))
    }

    // MARK: Drift

    /// PSI of the production model's inputs on the newest incidents since its training data
    /// ended; above `threshold` a `crime.drift` event goes to the hooks with the figures.
    public func checkDrift(task: String, threshold: Double = 0.2, window: Int = 1000, minimum: Int = 100,
                           routes: [OutboxRoute], at now: Date = Date()) throws -> CrimeDriftRecord? {
        let record = try production(task)
        let recent = try database.incidents(occurredAfter: record.trainedThrough, limit: window)
        guard recent.count >= minimum else {
            logger.info("crime drift: too few recent incidents", metadata: ["task": "\(task)", "recent": "\(recent.count)"])
            return nil
        }
        let encoding = try Self.encoding(of: record)
        let psi = encoding.baseline.psi(encoder: encoding.encoder, incidents: recent)
        let worst = psi.values.max() ?? 0
        let features = String(decoding: try JSONEncoder().encode(psi), as: UTF8.self)
        let drift = try database.recordDrift(CrimeDriftRecord(crimeModelId: record.id!, at: now, recent: recent.count, threshold: threshold,
                                                              maxPSI: worst, features: features, alerted: worst > threshold),
                                             model: record, routes: routes)
        if drift.alerted {
            logger.warning("crime drift", metadata: ["task": "\(task)", "maxPSI": "\(worst)", "recent": "\(recent.count)"])
        }
        return drift
    }
}
