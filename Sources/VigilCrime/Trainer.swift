import Crypto
import Foundation
import VigilCore

public struct TrainingOptions: Sendable {
    public var task: CrimeTask
    public var algorithm: Algorithm
    public var features: [FeatureGroup]
    /// Search `algorithm.grid` by 5-fold CV instead of using `algorithm.defaults`.
    public var grid: Bool
    /// Fixed hyperparameters (the scheduled retrain reuses production's); overrides `grid`.
    public var parameters: Hyperparameters?
    public var folds = 5
    public var seed: UInt64 = 42
    /// Lets a feature set that contains the label's source train (flagged, never promotable).
    public var allowLeakage = false

    public init(task: CrimeTask, algorithm: Algorithm = .xgboost, features: [FeatureGroup]? = nil, grid: Bool = true) {
        self.task = task
        self.algorithm = algorithm
        self.features = features ?? task.defaultFeatures
        self.grid = grid
    }
}

/// Cross-validation result: macro-F1 per fold, their mean and spread, and the pooled
/// out-of-fold metrics.
public struct CrossValidated: Sendable, Codable, Equatable {
    public var folds: Int
    public var foldMacroF1: [Double]
    public var meanMacroF1: Double
    public var sdMacroF1: Double
    public var pooled: ClassificationMetrics
}

/// Everything a training run measured, stored with the model in the registry.
public struct TrainingReport: Sendable, Codable, Equatable {
    public struct GridPoint: Sendable, Codable, Equatable {
        public var parameters: Hyperparameters
        public var meanMacroF1: Double
    }

    /// Train on the earliest 80% by occurrence time, test on the latest 20%.
    public struct Forward: Sendable, Codable, Equatable {
        public var trainedFrom: Date
        public var trainedTo: Date
        public var testedFrom: Date
        public var testedTo: Date
        public var metrics: ClassificationMetrics
    }

    public var task: String
    public var algorithm: Algorithm
    public var features: [FeatureGroup]
    public var columns: [String]
    public var rows: Int
    public var positives: Int
    public var trainingRows: Int
    public var parameters: Hyperparameters
    public var grid: [GridPoint]
    public var crossValidation: CrossValidated
    public var holdout: ClassificationMetrics
    public var forward: Forward?
    public var leakage: Bool
    public var dataHash: String
    public var trainedThrough: Date
    /// The whole run (grid search, CV, final fit, forward evaluation), and the final fit alone.
    public var seconds: Double
    public var fitSeconds: Double
}

/// Stratified 80/20 split, grid search by 5-fold CV on the 80%, a final fit on the 80%,
/// metrics on the untouched 20%, and a forward-in-time evaluation.
public enum Trainer {
    /// The labelled incidents of `task`, with their 0/1 targets, in the order given.
    public static func labelled(_ incidents: [Incident], task: CrimeTask) -> (incidents: [Incident], targets: [Int]) {
        let kept = incidents.compactMap { incident in task.target(incident).map { (incident, $0) } }
        return (kept.map(\.0), kept.map(\.1))
    }

    /// The 20% held out (fold 0 of a stratified 5-way split) and the 80% to train on.
    public static func split(_ incidents: [Incident], targets: [Int], seed: UInt64) -> (train: [Int], test: [Int]) {
        let fold = StratifiedFolds.assign(labels: targets, folds: 5, seed: seed)
        return (incidents.indices.filter { fold[$0] != 0 }, incidents.indices.filter { fold[$0] == 0 })
    }

    /// Trains on `pool` and measures on `heldOut` (the daemon passes the same held-out
    /// set to a candidate and to the production model, to compare them fairly).
    public static func train(pool: [Incident], heldOut: [Incident], options: TrainingOptions) throws -> (Classifier, TrainingReport) {
        let start = Date()
        let leakage = try options.task.checkLeakage(options.features, allow: options.allowLeakage)
        let (train, trainTargets) = labelled(pool, task: options.task)
        let (test, testTargets) = labelled(heldOut, task: options.task)
        let positives = trainTargets.reduce(0, +)
        guard train.count >= 50, positives >= options.folds, train.count - positives >= options.folds else {
            throw CrimeError.notEnoughData("the \(options.task.name) task needs at least 50 labelled incidents with both classes present \(options.folds) times (have \(train.count), \(positives) \(options.task.positive))")
        }
        guard !test.isEmpty else { throw CrimeError.notEnoughData("no labelled incidents held out for testing") }
        // Grid search on the training split only: the held-out rows never choose anything.
        var points: [TrainingReport.GridPoint] = []
        var best: (Hyperparameters, CrossValidated)?
        let candidates = options.parameters.map { [$0] } ?? (options.grid ? options.algorithm.grid : [options.algorithm.defaults])
        for parameters in candidates {
            let cv = try crossValidate(train, targets: trainTargets, options: options, parameters: parameters)
            points.append(.init(parameters: parameters, meanMacroF1: cv.meanMacroF1))
            if best == nil || cv.meanMacroF1 > best!.1.meanMacroF1 { best = (parameters, cv) }
        }
        let (parameters, cv) = best!
        let fitStart = Date()
        let encoder = FeatureEncoder.fit(groups: options.features, incidents: train)
        let classifier = try Classifier(algorithm: options.algorithm, parameters: parameters, encoder: encoder, incidents: train,
                                        targets: trainTargets, seed: options.seed)
        let fitSeconds = Date().timeIntervalSince(fitStart)
        let holdout = ClassificationMetrics(truth: testTargets, probabilities: try classifier.probabilities(test),
                                            classNames: options.task.classes)
        let forward = try forwardInTime(train + test, targets: trainTargets + testTargets, options: options, parameters: parameters)
        var hash = SHA256()
        hash.update(data: Data(encoder.matrix(train).withUnsafeBufferPointer { Data(buffer: $0) }))
        hash.update(data: Data(trainTargets.map { UInt8($0) }))
        let report = TrainingReport(
            task: options.task.name, algorithm: options.algorithm, features: options.features, columns: encoder.columns.map(\.name),
            rows: train.count + test.count, positives: positives + testTargets.reduce(0, +), trainingRows: train.count,
            parameters: parameters, grid: points, crossValidation: cv, holdout: holdout, forward: forward, leakage: leakage,
            dataHash: hash.finalize().map { String(format: "%02x", $0) }.joined(),
            trainedThrough: train.map(\.occurredAt).max() ?? Date(), seconds: Date().timeIntervalSince(start), fitSeconds: fitSeconds)
        return (classifier, report)
    }

    /// Stratified k-fold CV: the encoder is fitted inside each fold, as at training time.
    public static func crossValidate(_ incidents: [Incident], targets: [Int], options: TrainingOptions,
                                     parameters: Hyperparameters) throws -> CrossValidated {
        let fold = StratifiedFolds.assign(labels: targets, folds: options.folds, seed: options.seed &+ 1)
        var scores: [Double] = []
        var pooledTruth: [Int] = [], pooledPredicted: [Double] = []
        for f in 0..<options.folds {
            let trainAt = incidents.indices.filter { fold[$0] != f }, testAt = incidents.indices.filter { fold[$0] == f }
            let rows = trainAt.map { incidents[$0] }
            let encoder = FeatureEncoder.fit(groups: options.features, incidents: rows)
            let model = try Classifier(algorithm: options.algorithm, parameters: parameters, encoder: encoder, incidents: rows,
                                       targets: trainAt.map { targets[$0] }, seed: options.seed)
            let p = try model.probabilities(testAt.map { incidents[$0] })
            let truth = testAt.map { targets[$0] }
            scores.append(ClassificationMetrics(truth: truth, probabilities: p, classNames: options.task.classes).macroF1)
            pooledTruth += truth
            pooledPredicted += p
        }
        let mean = scores.reduce(0, +) / Double(scores.count)
        let sd = (scores.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(1, scores.count - 1))).squareRoot()
        return CrossValidated(folds: options.folds, foldMacroF1: scores, meanMacroF1: mean, sdMacroF1: sd,
                              pooled: ClassificationMetrics(truth: pooledTruth, probabilities: pooledPredicted, classNames: options.task.classes))
    }

    /// As deployed: learn from the past, score the future. Nil when the data span too few distinct days.
    static func forwardInTime(_ incidents: [Incident], targets: [Int], options: TrainingOptions,
                              parameters: Hyperparameters) throws -> TrainingReport.Forward? {
        let order = incidents.indices.sorted { incidents[$0].occurredAt < incidents[$1].occurredAt }
        let cut = order.count * 4 / 5
        let past = order[..<cut].map { incidents[$0] }, future = order[cut...].map { incidents[$0] }
        let pastTargets = order[..<cut].map { targets[$0] }, futureTargets = order[cut...].map { targets[$0] }
        guard let first = past.first, let last = future.last, Set(pastTargets).count == 2,
              last.occurredAt.timeIntervalSince(first.occurredAt) >= 14 * 86_400 else { return nil }
        let encoder = FeatureEncoder.fit(groups: options.features, incidents: past)
        let model = try Classifier(algorithm: options.algorithm, parameters: parameters, encoder: encoder, incidents: past,
                                   targets: pastTargets, seed: options.seed)
        return .init(trainedFrom: first.occurredAt, trainedTo: past.last!.occurredAt, testedFrom: future.first!.occurredAt,
                     testedTo: last.occurredAt,
                     metrics: ClassificationMetrics(truth: futureTargets, probabilities: try model.probabilities(future),
                                                    classNames: options.task.classes))
    }
}
