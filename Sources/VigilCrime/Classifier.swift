import Foundation
import VigilCore

/// Which library trains the model.
public enum Algorithm: String, Sendable, Codable, CaseIterable {
    /// Gradient-boosted trees (XGBoost `gbtree`, histogram method).
    case xgboost
    /// A random forest (XGBoost: one round of `num_parallel_tree` trees on bootstrap rows).
    case forest
    /// Logistic regression (OpenCV ml) on standardised numbers and one-hot categories.
    case logistic

    /// The documented grid `--grid` searches (5-fold CV on the training split, best macro-F1 wins).
    public var grid: [Hyperparameters] {
        switch self {
        case .xgboost:
            return [4.0, 6.0].flatMap { depth in [0.05, 0.1].flatMap { eta in [150.0, 300.0].map { rounds in
                Hyperparameters(["max_depth": depth, "eta": eta, "rounds": rounds, "subsample": 0.8, "colsample_bytree": 0.8])
            } } }
        case .forest:
            return [10.0, 16.0].flatMap { depth in [0.3, 0.6].map { columns in
                Hyperparameters(["max_depth": depth, "trees": 200, "colsample_bynode": columns])
            } }
        case .logistic:
            return [0.5, 1.0].flatMap { rate in [0.0, 1.0].map { l2 in
                Hyperparameters(["learning_rate": rate, "l2": l2, "iterations": 1000])
            } }
        }
    }

    /// What training uses without `--grid`.
    public var defaults: Hyperparameters {
        switch self {
        case .xgboost: return Hyperparameters(["max_depth": 6, "eta": 0.05, "rounds": 300, "subsample": 0.8, "colsample_bytree": 0.8])
        case .forest: return Hyperparameters(["max_depth": 16, "trees": 200, "colsample_bynode": 0.3])
        case .logistic: return Hyperparameters(["learning_rate": 1.0, "l2": 0, "iterations": 1000])
        }
    }
}

/// Named numeric hyperparameters, printed and stored sorted by name.
public struct Hyperparameters: Sendable, Codable, Hashable, CustomStringConvertible {
    public var values: [String: Double]

    public init(_ values: [String: Double]) { self.values = values }

    public subscript(_ name: String) -> Double? { values[name] }

    public var description: String {
        values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value == $0.value.rounded() ? String(Int($0.value)) : String($0.value))" }
            .joined(separator: " ")
    }

    func int(_ name: String, _ fallback: Int) -> Int { values[name].map { Int($0) } ?? fallback }
}

/// A trained binary classifier with the encoder it was trained with.
public final class Classifier {
    public let algorithm: Algorithm
    public let parameters: Hyperparameters
    public let encoder: FeatureEncoder
    private let booster: Booster?
    private let logistic: LogisticModel?

    /// Trains on `incidents` with 0/1 `targets` (the encoder must have been fitted on the same rows).
    public init(algorithm: Algorithm, parameters: Hyperparameters, encoder: FeatureEncoder, incidents: [Incident], targets: [Int],
                seed: UInt64 = 42) throws {
        self.algorithm = algorithm
        self.parameters = parameters
        self.encoder = encoder
        let dense = encoder.matrix(incidents)
        switch algorithm {
        case .xgboost, .forest:
            booster = try Booster(features: dense, rows: incidents.count, columns: encoder.width, labels: targets.map(Float.init),
                                  parameters: Self.xgboostParameters(algorithm, parameters, seed: seed),
                                  rounds: algorithm == .forest ? 1 : parameters.int("rounds", 200))
            logistic = nil
        case .logistic:
            logistic = try LogisticModel(features: encoder.expandedMatrix(dense), rows: incidents.count, columns: encoder.expandedWidth, labels: targets,
                                         iterations: parameters.int("iterations", 1000), learningRate: parameters["learning_rate"] ?? 1.0,
                                         l2: parameters["l2"] ?? 0)
            booster = nil
        }
    }

    /// Loads a registered model.
    public init(algorithm: Algorithm, parameters: Hyperparameters, encoder: FeatureEncoder, model: Data) throws {
        self.algorithm = algorithm
        self.parameters = parameters
        self.encoder = encoder
        switch algorithm {
        case .xgboost, .forest:
            booster = try Booster(model: model)
            logistic = nil
        case .logistic:
            logistic = try LogisticModel(model: model)
            booster = nil
        }
    }

    public func serialized() throws -> Data {
        if let booster { return try booster.serialized() }
        return try logistic!.serialized()
    }

    /// P(positive class) per incident.
    public func probabilities(_ incidents: [Incident]) throws -> [Double] {
        guard !incidents.isEmpty else { return [] }
        let dense = encoder.matrix(incidents)
        if let booster {
            return try booster.predict(features: dense, rows: incidents.count, columns: encoder.width).map(Double.init)
        }
        return try logistic!.probabilities(features: encoder.expandedMatrix(dense), rows: incidents.count, columns: encoder.expandedWidth).map(Double.init)
    }

    static func xgboostParameters(_ algorithm: Algorithm, _ p: Hyperparameters, seed: UInt64) -> [(String, String)] {
        var list: [(String, String)] = [
            ("objective", "binary:logistic"), ("tree_method", "hist"), ("nthread", "1"), ("seed", String(seed % 1_000_000)),
            ("verbosity", "0"), ("max_depth", String(p.int("max_depth", 6))),
        ]
        switch algorithm {
        case .forest:
            list += [("num_parallel_tree", String(p.int("trees", 200))), ("subsample", "0.632"), ("eta", "1"),
                     ("colsample_bynode", String(p["colsample_bynode"] ?? 0.3)), ("min_child_weight", "1")]
        default:
            list += [("eta", String(p["eta"] ?? 0.1)), ("subsample", String(p["subsample"] ?? 1)),
                     ("colsample_bytree", String(p["colsample_bytree"] ?? 1)), ("min_child_weight", "1")]
        }
        return list
    }
}
