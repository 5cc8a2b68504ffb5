import ArgumentParser
import Foundation
import VigilCore
import VigilCrime
import VigilStore

/// Options that choose what a model learns from.
struct ModelChoice: ParsableArguments {
    @Option(help: "severity or arrest.") var task = "severity"
    @Option(help: "xgboost, forest or logistic.") var algorithm = "xgboost"
    @Option(help: "Feature groups, comma-separated (\(FeatureGroup.allCases.map(\.rawValue).joined(separator: ", "))); default: the task's own.")
    var features: String?
    @Flag(help: "Train even when the features include the label's source, to measure the leak (flagged; never promotable).")
    var allowLeakage = false

    func options(grid: Bool) throws -> TrainingOptions {
        let task = try wrap { try CrimeTask.named(self.task) }
        guard let algorithm = Algorithm(rawValue: algorithm) else {
            throw ValidationError("--algorithm must be one of \(Algorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let groups = try features.map { list in
            try list.split(separator: ",").map { name -> FeatureGroup in
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let group = FeatureGroup(rawValue: trimmed) else {
                    throw Failure("--features: unknown feature group '\(trimmed)' (known: \(FeatureGroup.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return group
            }
        }
        var options = TrainingOptions(task: task, algorithm: algorithm, features: groups, grid: grid)
        options.allowLeakage = allowLeakage
        return options
    }
}

extension CrimeCommand {
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a model (stratified 80/20, grid search by 5-fold CV) and register it in staging.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var choice: ModelChoice
        @Flag(inversion: .prefixedNo, help: "Search the algorithm's documented grid (otherwise its defaults).") var grid = true
        @Option(help: "Train only on incidents that occurred before this day (YYYY-MM-DD).") var before: String?
        @Option(help: "Train only on incidents that occurred from this day (YYYY-MM-DD).") var from: String?
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let options = try choice.options(grid: grid)
            let crime = try await lifecycle(common)
            let (record, report) = try wrap {
                try crime.train(options, actor: AuditActor.current(), occurredFrom: try parseDay(from, "--from"),
                                occurredBefore: try parseDay(before, "--before"))
            }
            if json {
                print(try crimeJSON(try RegistryEntry(record: record, history: try crime.database.crimeModelEvents(model: record.id ?? 0))))
                return
            }
            printReport(report)
            print("registered model \(record.id ?? 0): \(record.task) v\(record.version) (\(record.stage.rawValue))\(record.leakage ? " LEAKAGE: never promotable" : "")")
        }
    }

    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A registered model's figures and its score on today's held-out set, or (--cv) a feature set's cross-validation without registering anything.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var choice: ModelChoice
        @Option(help: "Registered model id (default: the task's production model).") var model: Int64?
        @Flag(help: "Cross-validate the chosen algorithm and features instead (nothing is registered).") var cv = false
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let crime = try await lifecycle(common)
            if cv {
                let options = try choice.options(grid: false)
                let (incidents, targets) = Trainer.labelled(try wrap { try crime.database.incidents() }, task: options.task)
                let leakage = try wrap { try options.task.checkLeakage(options.features, allow: options.allowLeakage) }
                let result = try wrap { try Trainer.crossValidate(incidents, targets: targets, options: options, parameters: options.algorithm.defaults) }
                if json {
                    print(try crimeJSON(["leakage": AnyCodable(leakage), "cross_validation": AnyCodable(result)]))
                    return
                }
                if leakage { print("LEAKAGE: the features include the label's source; this figure measures the leak, not the model") }
                print("\(options.task.name), \(options.algorithm.rawValue), features \(options.features.map(\.rawValue).joined(separator: ",")): \(incidents.count) incidents")
                print(String(format: "%d-fold macro-F1 %.4f ± %.4f (folds: %@)", result.folds, result.meanMacroF1, result.sdMacroF1,
                             result.foldMacroF1.map { String(format: "%.3f", $0) }.joined(separator: " ")))
                return
            }
            let record = try wrap { () throws -> CrimeModelRecord in
                if let model { return try crime.database.crimeModel(id: model) }
                guard let production = try crime.database.productionModel(task: choice.task) else {
                    throw Failure("no \(choice.task) model in production; name one with --model (see `vigil crime models`)")
                }
                return production
            }
            let report = try wrap { try CrimeLifecycle.report(of: record) }
            let today = try wrap { try crime.evaluate(record) }
            if json {
                print(try crimeJSON(["model": AnyCodable(try RegistryEntry(record: record)), "held_out_now": AnyCodable(today)]))
                return
            }
            printReport(report)
            print(String(format: "on today's held-out set (%d incidents): macro-F1 %.4f, accuracy %.4f", today.samples, today.macroF1, today.accuracy))
        }
    }

    struct Models: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The model registry: versions, stages, data hash and figures.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Only this task.") var task: String?
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let records = try wrap(try await openStore(common)) { try $0.crimeModels(task: task) }
            let views = try wrap { try records.map { try RegistryEntry(record: $0) } }
            if json {
                print(try crimeJSON(views))
                return
            }
            print(Output.table(["id", "task", "v", "algorithm", "stage", "rows", "cv macro-F1", "held-out F1", "forward F1", "data", "created", "by"],
                               views.map { v in
                [String(v.id), v.task, String(v.version), v.algorithm + (v.leakage ? " LEAKAGE" : ""), v.stage, String(v.rows),
                 String(format: "%.4f", v.cvMacroF1), String(format: "%.4f", v.holdoutMacroF1),
                 v.forwardMacroF1.map { String(format: "%.4f", $0) } ?? "-", String(v.dataHash.prefix(12)),
                 HookEventTime.short(v.createdAt), v.createdBy]
            }))
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a model in production (the current one is archived).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Model id.") var id: Int64
        @Option(help: "Why (kept in the registry's history).") var note: String?

        func run() async throws {
            let model = try wrap(try await openStore(common)) { try $0.promoteModel(id: id, actor: AuditActor.current(), note: note) }
            print("model \(id): \(model.task) v\(model.version) is in production")
        }
    }

    struct Demote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a model out of service; demoting production restores the model that served before it.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Model id.") var id: Int64
        @Option(help: "Why (kept in the registry's history).") var note: String?

        func run() async throws {
            let (demoted, restored) = try wrap(try await openStore(common)) { try $0.demoteModel(id: id, actor: AuditActor.current(), note: note) }
            print("model \(id): \(demoted.task) v\(demoted.version) archived" + (restored.map { "; v\($0.version) (model \($0.id ?? 0)) is back in production" } ?? ""))
        }
    }

    struct Retrain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One scheduled-retrain cycle now: retrain on every labelled incident, promote only if not worse on the held-out set.")
        @OptionGroup var common: CommonOptions
        @Option(help: "severity or arrest.") var task = "severity"
        @Option(help: "Train only on incidents that occurred before this day (YYYY-MM-DD).") var before: String?

        func run() async throws {
            let outcome = try wrap(try await lifecycle(common)) {
                try $0.retrain(task: try CrimeTask.named(task), actor: AuditActor.current(), occurredBefore: try parseDay(before, "--before"))
            }
            print(try crimeJSON(outcome))
        }
    }

    struct Drift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Population stability index per feature: production model's training data vs incidents since.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var configOptions: ConfigOptions
        @Option(help: "severity or arrest.") var task = "severity"
        @Option(help: "PSI above which hooks are alerted.") var threshold = 0.2

        func run() async throws {
            let config = try configOptions.load(database: common.db)
            let routes = config.hooks.map { OutboxRoute(hook: $0.name, filter: $0.filter) }
            let drift = try wrap(try await lifecycle(common)) { try $0.checkDrift(task: task, threshold: threshold, routes: routes) }
            guard let drift else { print("too few incidents since the model's training data ended (need 100)"); return }
            print(String(format: "%d recent incidents, max PSI %.3f (threshold %.2f)%@", drift.recent, drift.maxPSI, drift.threshold,
                         drift.alerted ? ": DRIFT, hooks alerted" : ""))
            print(drift.features)
        }
    }
}

enum HookEventTime {
    static func short(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle().year().month().day().time(includingFractionalSeconds: false))
    }
}

/// Wraps mixed values for one JSON object.
struct AnyCodable: Encodable {
    let encode: (Encoder) throws -> Void
    init<T: Encodable>(_ value: T) { encode = value.encode }
    func encode(to encoder: Encoder) throws { try encode(encoder) }
}

func printReport(_ r: TrainingReport) {
    if r.leakage { print("LEAKAGE: trained with the label's source among the features; figures measure the leak") }
    print("\(r.task), \(r.algorithm.rawValue): \(r.rows) labelled incidents (\(r.positives) positive), \(r.trainingRows) trained on, features \(r.features.map(\.rawValue).joined(separator: ","))")
    if r.grid.count > 1 {
        for point in r.grid { print(String(format: "  grid %@: CV macro-F1 %.4f", point.parameters.description, point.meanMacroF1)) }
    }
    print("parameters: \(r.parameters)")
    print(String(format: "%d-fold CV (training split): macro-F1 %.4f ± %.4f", r.crossValidation.folds, r.crossValidation.meanMacroF1, r.crossValidation.sdMacroF1))
    printMetrics("held-out 20%", r.holdout)
    if let f = r.forward {
        printMetrics("forward in time (train \(HookEventTime.short(f.trainedFrom).prefix(10))..\(HookEventTime.short(f.trainedTo).prefix(10)), test \(HookEventTime.short(f.testedFrom).prefix(10))..\(HookEventTime.short(f.testedTo).prefix(10)))", f.metrics)
    } else {
        print("forward in time: not measured (the data span less than two weeks)")
    }
    print(String(format: "trained in %.1f s (final fit %.2f s); data sha256 %@", r.seconds, r.fitSeconds, String(r.dataHash.prefix(16))))
}

func printMetrics(_ title: String, _ m: ClassificationMetrics) {
    print(String(format: "%@: accuracy %.4f, macro P/R/F1 %.4f/%.4f/%.4f, weighted F1 %.4f (n = %d)", title, m.accuracy, m.macroPrecision,
                 m.macroRecall, m.macroF1, m.weightedF1, m.samples))
    for c in m.classes {
        print(String(format: "  %-10@ precision %.3f recall %.3f F1 %.3f support %d", c.label, c.precision, c.recall, c.f1, c.support))
    }
    print("  confusion (rows true, columns predicted: \(m.classes.map(\.label).joined(separator: ", "))): \(m.confusion)")
}
