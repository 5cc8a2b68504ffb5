import ArgumentParser
import Foundation
import VigilCore
import VigilCrime

extension CrimeCommand {
    struct Hotspots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hotspot clusters (k-means or DBSCAN over haversine distance) as a PNG map or GeoJSON.")
        @OptionGroup var common: CommonOptions
        @Option(help: "kmeans or dbscan.") var method = "kmeans"
        @Option(help: "k-means: number of clusters.") var k = 8
        @Option(help: "k-means: seed (the same seed gives the same clusters).") var seed: UInt64 = 42
        @Option(help: "DBSCAN: neighbourhood radius in metres.") var eps = 150.0
        @Option(help: "DBSCAN: neighbours (the point included) that make a core point.") var minSamples = 25
        @Option(help: "Only incidents of this source.") var source: String?
        @Option(help: "Only incidents that occurred from this day (YYYY-MM-DD).") var from: String?
        @Option(help: "Only incidents that occurred before this day (YYYY-MM-DD).") var before: String?
        @Option(help: "Output: a .png map or a .geojson file (default: GeoJSON on stdout).") var out: String?

        func run() async throws {
            let chosen: HotspotMethod
            switch method {
            case "kmeans": chosen = .kmeans(k: k, seed: seed)
            case "dbscan": chosen = .dbscan(epsMetres: eps, minSamples: minSamples)
            default: throw ValidationError("--method must be kmeans or dbscan")
            }
            let incidents = try wrap(try await openStore(common)) {
                try $0.incidents(source: source, occurredFrom: try parseDay(from, "--from"), occurredBefore: try parseDay(before, "--before"))
            }
            guard !incidents.isEmpty else { throw Failure("no incidents match (import some with `vigil crime import`)") }
            let result = try wrap { try VigilCrime.Hotspots.find(incidents, method: chosen) }
            let noise = result.labels.filter { $0 < 0 }.count
            if let out, out.lowercased().hasSuffix(".png") {
                try wrap { try VigilCrime.Hotspots.writeMap(result, to: out, title: "\(incidents.count) incidents, \(chosen.name): \(result.hotspots.count) clusters, \(noise) noise") }
                print("wrote \(out): \(result.hotspots.count) clusters, \(noise) noise points, \(incidents.count) incidents")
                for h in result.hotspots.sorted(by: { $0.count > $1.count }).prefix(10) {
                    print(String(format: "  cluster %d: %d incidents at %.5f, %.5f", h.cluster, h.count, h.latitude, h.longitude)
                          + (h.seriousShare.map { String(format: ", %.0f%% serious", $0 * 100) } ?? "") + ": " + h.topCategories.joined(separator: "; "))
                }
                return
            }
            let data = try wrap { try VigilCrime.Hotspots.geoJSON(result) }
            if let out {
                guard out.lowercased().hasSuffix(".geojson") || out.lowercased().hasSuffix(".json") else {
                    throw ValidationError("--out must end in .png, .geojson or .json")
                }
                try wrap { try data.write(to: URL(fileURLWithPath: out)) }
                print("wrote \(out): \(result.hotspots.count) clusters, \(noise) noise points")
            } else {
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }

    struct Forecast: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Daily incident counts per area: gradient boosting on lagged counts against the seasonal-naive baseline.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Days at the end held out to measure MAE/RMSE, one day ahead at a time.") var testDays = 56
        @Option(help: "Days to forecast after the data.") var horizon = 7
        @Option(help: "Only incidents of this source.") var source: String?
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            guard (7...365).contains(testDays), (1...60).contains(horizon) else {
                throw ValidationError("--test-days must be 7...365 and --horizon 1...60")
            }
            var settings = Forecaster.Settings()
            settings.testDays = testDays
            settings.horizon = horizon
            let incidents = try wrap(try await openStore(common)) { try $0.incidents(source: source) }
            let (evaluations, skipped) = try wrap { try Forecaster(settings: settings).evaluate(incidents) }
            if json {
                print(try crimeJSON(["areas": AnyCodable(evaluations), "skipped": AnyCodable(skipped)]))
                return
            }
            for e in evaluations {
                print("\(e.area): \(e.days) days, \(String(format: "%.1f", e.meanDaily)) incidents a day; last \(e.testDays) days, one day ahead:")
                print(String(format: "  gradient boosting  MAE %.3f  RMSE %.3f", e.modelMAE, e.modelRMSE))
                print(String(format: "  seasonal naive     MAE %.3f  RMSE %.3f  (the count 7 days before)", e.naiveMAE, e.naiveRMSE))
                print("  " + (e.beatsBaseline ? String(format: "the model beats the baseline by %.1f%% MAE", (1 - e.modelMAE / e.naiveMAE) * 100)
                    : "the model does NOT beat the baseline on this data"))
                print("  next \(e.forecast.count) days: " + e.forecast.map { "\(HookEventTime.short($0.day).prefix(10)) \(String(format: "%.1f", $0.count))" }.joined(separator: ", "))
            }
            for (area, reason) in skipped.sorted(by: { $0.key < $1.key }) { print("\(area): skipped: \(reason)") }
        }
    }

    struct ExportFeatures: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-features",
            abstract: "Write the encoded training rows, labels, split and CV folds as CSV, so another library can be compared on the same data.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var choice: ModelChoice
        @Option(help: "Output CSV.") var out: String

        func run() async throws {
            let options = try choice.options(grid: false)
            _ = try wrap { try options.task.checkLeakage(options.features, allow: options.allowLeakage) }
            let all = try wrap(try await openStore(common)) { try $0.incidents() }
            let (incidents, targets) = Trainer.labelled(all, task: options.task)
            let (trainAt, testAt) = Trainer.split(incidents, targets: targets, seed: options.seed)
            let train = trainAt.map { incidents[$0] }
            let encoder = FeatureEncoder.fit(groups: options.features, incidents: train)
            // The same fold assignment Trainer.crossValidate uses on the training split.
            let folds = StratifiedFolds.assign(labels: trainAt.map { targets[$0] }, folds: options.folds, seed: options.seed &+ 1)
            var lines = [(encoder.columns.map(\.name) + ["label", "split", "fold"]).joined(separator: ",")]
            for (position, at) in (trainAt + testAt).enumerated() {
                let values = encoder.row(incidents[at]).map { $0.isNaN ? "" : String($0) }
                let isTrain = position < trainAt.count
                lines.append((values + [String(targets[at]), isTrain ? "train" : "test", isTrain ? String(folds[position]) : "-1"]).joined(separator: ","))
            }
            try wrap { try (lines.joined(separator: "\n") + "\n").write(toFile: out, atomically: true, encoding: .utf8) }
            print("wrote \(out): \(trainAt.count) training rows in \(options.folds) folds, \(testAt.count) held out, \(encoder.width) features")
        }
    }
}
