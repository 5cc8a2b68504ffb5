import VigilCore
import Foundation

/// Per-epoch features that do not depend on the montage: the EEG channels'
/// mean relative band powers, log alpha/beta ratio, peak alpha frequency and
/// spectral entropy. Absolute power is left out on purpose: it mostly
/// measures the amplifier and electrodes, not the person's state.
public enum EpochFeatures {
    public static let names = ["delta_rel", "theta_rel", "alpha_rel", "beta_rel", "gamma_rel", "log_alpha_beta", "peak_alpha",
                               "spectral_entropy"]

    public struct Epoch: Sendable {
        public var start: Double
        public var values: [Double]
    }

    public static func epochs(_ file: EDFFile, seconds: Double, channels: [String]? = nil) throws -> [Epoch] {
        var settings = EEGAnalysis.Settings()
        settings.epoch = seconds
        settings.channels = channels
        let results = try EEGAnalysis(settings: settings).run(file)
        let byStart = Dictionary(grouping: results) { ($0.epochStart * 1000).rounded() }
        return byStart.keys.sorted().map { key in
            let group = byStart[key]!
            func mean(_ value: (BandPowers) -> Double) -> Double { group.map { value($0.powers) }.reduce(0, +) / Double(group.count) }
            let values = ["delta", "theta", "alpha", "beta", "gamma"].map { band in mean { $0.relative[band] ?? 0 } }
                + [mean { log(max(1e-9, $0.alphaBetaRatio ?? 1e-9)) }, mean { $0.peakAlpha ?? 0 }, mean { $0.spectralEntropy }]
            return Epoch(start: key / 1000, values: values)
        }
    }
}

/// Stratified k-fold cross-validation with the figures a reviewer asks for.
public struct CrossValidation: Sendable, Codable, Equatable {
    public typealias ClassFigures = ClassificationMetrics.ClassFigures

    public var folds: Int
    public var samples: Int
    public var accuracy: Double
    public var classes: [ClassFigures]
    /// rows: true class, columns: predicted class, in `classes` order.
    public var confusion: [[Int]]

    /// Deterministic folds: each class's samples are shuffled with `seed` and dealt round-robin.
    public static func run(labels: [Int], classNames: [String], folds: Int, seed: UInt64 = 42,
                           fitAndPredict: (_ train: [Int], _ test: [Int]) throws -> [Int]) throws -> CrossValidation {
        let counts = Dictionary(grouping: labels.indices, by: { labels[$0] })
        guard folds >= 2, counts.values.allSatisfy({ $0.count >= folds }) else {
            throw EEGError.setting("--folds", "\(folds) folds need at least \(folds) epochs of every class (have \(classNames.enumerated().map { "\($0.element): \(counts[$0.offset]?.count ?? 0)" }.joined(separator: ", ")))")
        }
        let fold = StratifiedFolds.assign(labels: labels, folds: folds, seed: seed)
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classNames.count), count: classNames.count)
        for f in 0..<folds {
            let test = labels.indices.filter { fold[$0] == f }, train = labels.indices.filter { fold[$0] != f }
            let predicted = try fitAndPredict(train, test)
            for (index, guess) in zip(test, predicted) { confusion[labels[index]][guess] += 1 }
        }
        let figures = ClassificationMetrics(confusion: confusion, classNames: classNames)
        return CrossValidation(folds: folds, samples: figures.samples, accuracy: figures.accuracy, classes: figures.classes, confusion: confusion)
    }
}
