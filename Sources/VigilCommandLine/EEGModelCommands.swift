import ArgumentParser
import Crypto
import Foundation
import VigilCore
import VigilEEG

/// `vigil eeg features`, `train` and `score`: per-epoch features to CSV, a random forest
/// trained with stratified cross-validation, and scores that carry the model's figures.
extension EEGCommand {
    struct Features: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per-epoch features (mean relative band powers, log alpha/beta, peak alpha, entropy) as CSV rows with a label.")
        @Argument(help: "EDF or BDF file.") var file: String
        @Option(help: "Label for every epoch of this file (e.g. rest, eyes_open).") var label: String
        @Option(help: "Epoch length in seconds.") var epoch: Double = 4
        @Flag(help: "Print the header row first.") var header = false

        func run() async throws {
            guard label.range(of: #"^[A-Za-z0-9_.-]{1,64}$"#, options: .regularExpression) != nil else {
                throw ValidationError("--label: use 1-64 letters, digits, '_', '-' or '.'")
            }
            let edf = try wrap { try EDFFile(path: file) }
            let epochs = try wrap { try EpochFeatures.epochs(edf, seconds: epoch) }
            if header { print((["file", "epoch_start"] + EpochFeatures.names + ["label"]).joined(separator: ",")) }
            for e in epochs {
                print(([EEGCommand.Bands.csvCell((file as NSString).lastPathComponent), "\(e.start)"] + e.values.map { "\($0)" } + [label])
                    .joined(separator: ","))
            }
        }
    }

    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a random forest (OpenCV ml) on a features CSV with stratified k-fold cross-validation; save it with its figures.")
        @Argument(help: "CSV from `vigil eeg features` (a header row, feature columns, a label column).") var data: String
        @Option(help: "Model name; saved as a new version under --model-dir.") var out: String
        @Option(help: "Folder of EEG models.") var modelDir = "models/eeg"
        @Option(help: "Cross-validation folds.") var folds = 5
        @Option(help: "Trees in the forest.") var trees = 100
        @Option(help: "Maximum tree depth.") var maxDepth = 8

        func run() async throws {
            let table = try wrap { try TrainingTable(path: data) }
            let classNames = table.classNames
            let labels = table.labels
            let validation = try wrap {
                try CrossValidation.run(labels: labels, classNames: classNames, folds: folds) { train, test in
                    let forest = try Forest(features: train.map { table.rows[$0] }, labels: train.map { labels[$0] }, trees: trees, maxDepth: maxDepth)
                    return try test.map { index in
                        let p = try forest.probabilities(table.rows[index], classCount: classNames.count)
                        return p.indices.max { p[$0] < p[$1] }!
                    }
                }
            }
            let forest = try wrap { try Forest(features: table.rows, labels: labels, trees: trees, maxDepth: maxDepth) }
            let store = EEGModelStore(directory: modelDir)
            let version = try wrap { try store.nextVersion(out) }
            try wrap { try forest.save(to: (store.folder(out, version) as NSString).appendingPathComponent("forest.yml")) }
            let card = EEGModelCard(
                name: out, version: version, createdAt: Date(), features: EpochFeatures.names, classes: classNames, epochSeconds: nil,
                trees: trees, maxDepth: maxDepth, trainingData: data, trainingSha256: table.sha256, validation: validation,
                note: "Decision support: probabilities from a forest trained on \(table.rows.count) labelled epochs; the figures are \(folds)-fold stratified cross-validation on that data only and say nothing about recordings unlike it.")
            try wrap { try store.save(card) }
            print("trained \(out) v\(version) on \(table.rows.count) epochs (\(classNames.joined(separator: ", "))), \(folds)-fold CV accuracy \(String(format: "%.3f", validation.accuracy))")
            print(Output.table(["CLASS", "SUPPORT", "PRECISION", "RECALL", "F1"], validation.classes.map {
                [$0.label, "\($0.support)", Output.number($0.precision), Output.number($0.recall), Output.number($0.f1)]
            }))
            print("confusion (rows true, columns predicted, \(classNames.joined(separator: "/"))): \(validation.confusion)")
            print("saved \(store.folder(out, version))")
        }
    }

    struct Score: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Class probabilities per epoch from a trained model, with the model's cross-validated figures.")
        @Argument(help: "EDF or BDF file.") var file: String
        @Option(help: "Model name.") var model: String
        @Option(help: "Model version (default: the latest).") var version: Int?
        @Option(help: "Folder of EEG models.") var modelDir = "models/eeg"
        @Option(help: "Epoch length in seconds.") var epoch: Double = 4

        func run() async throws {
            let (card, path) = try wrap { try EEGModelStore(directory: modelDir).load(model, version: version) }
            let forest = try wrap { try Forest(path: path) }
            let edf = try wrap { try EDFFile(path: file) }
            let epochs = try wrap { try EpochFeatures.epochs(edf, seconds: epoch) }
            var means = [Double](repeating: 0, count: card.classes.count)
            for e in epochs {
                let p = try wrap { try forest.probabilities(e.values, classCount: card.classes.count) }
                for k in p.indices { means[k] += p[k] / Double(epochs.count) }
                print(Output.jsonLine([("epoch_start", e.start), ("probabilities", zip(card.classes, p).map { ($0, $1) as (String, Any?) })]))
            }
            print(Output.jsonLine([
                ("file", file), ("model", "\(card.name) v\(card.version)"), ("epochs", epochs.count),
                ("mean_probabilities", zip(card.classes, means).map { ($0, $1) as (String, Any?) }),
                ("validation", [("folds", card.validation.folds), ("samples", card.validation.samples), ("accuracy", card.validation.accuracy),
                                ("f1", card.validation.classes.map { ($0.label, $0.f1) as (String, Any?) })] as [(String, Any?)]),
                ("note", card.note),
            ]))
        }
    }
}

/// A features CSV: numeric feature columns in `EpochFeatures.names` order, and a `label` column.
struct TrainingTable {
    var rows: [[Double]] = []
    var labels: [Int] = []
    var classNames: [String] = []
    var sha256: String

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Failure("\(path): cannot read the file")
        }
        sha256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        let table: CSVTable
        do { table = try CSVTable(text: text) } catch { throw Failure("\(path): \(error)") }
        guard let header = table.records.first?.fields, let labelColumn = header.firstIndex(of: "label") else {
            throw Failure("\(path):1: expected a header with a label column (write one with `vigil eeg features --header`)")
        }
        let columns = try EpochFeatures.names.map { name -> Int in
            guard let index = header.firstIndex(of: name) else { throw Failure("\(path):1: missing feature column '\(name)'") }
            return index
        }
        var index: [String: Int] = [:]
        for record in table.records.dropFirst() {
            guard record.fields.count == header.count else {
                throw Failure("\(path):\(record.line): \(record.fields.count) fields, expected \(header.count)")
            }
            let values = try columns.map { c -> Double in
                guard let v = Double(record.fields[c]), v.isFinite else {
                    throw Failure("\(path):\(record.line): \(header[c]): expected a number, found '\(record.fields[c])'")
                }
                return v
            }
            let label = record.fields[labelColumn]
            if index[label] == nil { index[label] = classNames.count; classNames.append(label) }
            rows.append(values)
            labels.append(index[label]!)
        }
        guard classNames.count >= 2 else { throw Failure("\(path): training needs at least two labels, found \(classNames)") }
    }
}
