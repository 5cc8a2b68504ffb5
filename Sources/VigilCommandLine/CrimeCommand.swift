import ArgumentParser
import Foundation
import Logging
import VigilConfig
import VigilCore
import VigilCrime
import VigilStore

public struct CrimeCommand: AsyncParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "crime",
        abstract: CommandAbstracts.crime,
        discussion: "Scores are decision support with their measured validation figures, never verdicts.",
        subcommands: [Import.self, Train.self, Evaluate.self, Score.self, Hotspots.self, Forecast.self, Models.self, Promote.self,
                      Demote.self, Outcome.self, Retrain.self, Drift.self, ExportFeatures.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a CSV export through a column mapping; prints what was dropped and why.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "CSV export.") var file: String
        @Option(help: "Mapping: a built-in name (\(BuiltInMappings.names.joined(separator: ", "))) or a mapping YAML file.") var mapping: String
        @Flag(help: "JSON output.") var json = false

        func run() async throws {
            let mapping = try wrap { try IncidentMapping.load(path: BuiltInMappings.path(for: self.mapping)) }
            let report = try wrap(try await lifecycle(common)) { try $0.importFile(file, mapping: mapping) }
            if json {
                print(try crimeJSON(report))
                return
            }
            print("\(file) (\(report.source)): \(report.rowsRead) rows read, \(report.accepted) clean, \(report.stored) stored")
            for drop in report.dropped {
                print("  dropped \(drop.count): \(drop.reason)\(drop.lines.isEmpty ? "" : " (lines \(drop.lines.map(String.init).joined(separator: ", "))\(drop.count > drop.lines.count ? ", ..." : ""))")")
            }
            for (label, count) in report.unlabelled.sorted(by: { $0.key < $1.key }) {
                print("  kept without a \(label) label: \(count)")
            }
        }
    }

    struct Score: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score one incident (JSON from a file or stdin) with the task's production model.")
        @OptionGroup var common: CommonOptions
        @Option(help: "severity or arrest.") var task = "severity"
        @Argument(help: "JSON file with one incident (default: stdin).") var file: String?

        func run() async throws {
            let data = try wrap { () throws -> Data in
                if let file {
                    guard let data = FileManager.default.contents(atPath: file) else { throw Failure("\(file): cannot read the file") }
                    return data
                }
                return FileHandle.standardInput.readDataToEndOfFile()
            }
            let score = try wrap(try await lifecycle(common)) { try $0.score(json: data, task: task) }
            print(try crimeJSON(score))
        }
    }

    struct Outcome: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a case's outcome (arrest made, severity confirmed); the next retrain learns from it.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Source (lapd, chicago, api...).") var source: String
        @Argument(help: "The report's id in that source.") var id: String
        @Option(help: "yes or no.") var arrest: String?
        @Option(help: "serious or other.") var severity: String?

        func validate() throws {
            guard arrest != nil || severity != nil else { throw ValidationError("give --arrest and/or --severity") }
            if let arrest, !["yes", "no"].contains(arrest) { throw ValidationError("--arrest must be yes or no") }
            if let severity, !["serious", "other"].contains(severity) { throw ValidationError("--severity must be serious or other") }
        }

        func run() async throws {
            let incident = try wrap(try await openStore(common)) {
                try $0.recordOutcome(source: source, sourceID: id, arrest: arrest.map { $0 == "yes" }, severity: severity)
            }
            print("\(incident.source)/\(incident.sourceID): arrest \(incident.arrest.map { $0 ? "yes" : "no" } ?? "unknown"), severity \(incident.severity ?? "unknown")")
        }
    }
}

/// The crime lifecycle over the database `--db` names: an SQLite file or a shared PostgreSQL.
func lifecycle(_ common: CommonOptions) async throws -> CrimeLifecycle {
    CrimeLifecycle(database: try await openStore(common), logger: common.logger("vigil.crime"))
}



/// Sorted, snake_case JSON with ISO dates: what `vigil crime` prints for machines.
func crimeJSON<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try CrimeJSON.encode(value), as: UTF8.self)
}

func parseDay(_ text: String?, _ option: String) throws -> Date? {
    guard let text else { return nil }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd"
    guard let date = formatter.date(from: text) else { throw ValidationError("\(option): '\(text)' is not a date like 2020-07-01") }
    return date
}
