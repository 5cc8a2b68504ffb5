import ArgumentParser
import Foundation
import VigilCharts
import VigilCore
import VigilStore

/// The `vigil cases` subcommands that report: statistics and the journal check.
extension CasesCommand {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cases opened and alerts raised per day, week or month, by type, status or camera.")
        @OptionGroup var common: CommonOptions
        @Option(help: "day, week or month.") var period: CaseStatistics.Period = .month
        @Option(help: "type, status or camera.") var by: CaseStatistics.Grouping = .type
        @Option(help: "From this day (YYYY-MM-DD, UTC).") var from: String?
        @Option(help: "Before this day (YYYY-MM-DD, UTC).") var to: String?
        @Option(help: "table, json or csv.") var format: CaseOutput.Format = .table
        @Option(help: "Also draw the cases per period, stacked by group, as a PNG chart here.") var png: String?

        func validate() throws {
            if let png, !png.lowercased().hasSuffix(".png") { throw ValidationError("--png must name a .png file") }
        }

        func run() async throws {
            let lower = try parseDay(from, "--from"), upper = try parseDay(to, "--to")
            let statistics = try wrap(try await openStore(common)) { try $0.caseStatistics(period: period, grouping: by, from: lower, to: upper) }
            print(try CaseOutput.statistics(statistics, format: format))
            if let png {
                guard !statistics.rows.isEmpty else { throw ValidationError("--png: no cases or alerts in that time to draw") }
                let (periods, groups, values) = statistics.matrix()
                try wrap {
                    try BarChart.write(path: png, title: "Cases per \(period.rawValue), by \(by.rawValue)", periods: periods,
                                       groups: groups, values: values, yLabel: "cases opened")
                }
                Output.error("wrote \(png)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every case's journal (or one case's): sequence, hash chain and stored attachments. Exits 1 on a problem.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Case id (default: every case).") var id: Int64?
        @Flag(help: "JSON output, one case per line.") var json = false

        func run() async throws {
            let results = try wrap(try await openStore(common)) { try $0.verifyCases(id) }
            for result in results {
                if json {
                    print(Output.jsonLine([("case", result.caseID), ("entries", result.entries), ("intact", result.problems.isEmpty),
                                           ("problems", result.problems)]))
                } else if result.problems.isEmpty {
                    print("case \(result.caseID): \(result.entries) entries, intact")
                } else {
                    print("case \(result.caseID): TAMPERED\n" + result.problems.map { "  \($0)" }.joined(separator: "\n"))
                }
            }
            let broken = results.filter { !$0.problems.isEmpty }.count
            if broken > 0 {
                Output.error("\(broken) of \(results.count) cases failed verification")
                throw ExitCode(1)
            }
            if !json { print("\(results.count) cases verified") }
        }
    }
}

extension CaseStatistics.Period: ExpressibleByArgument {}
extension CaseStatistics.Grouping: ExpressibleByArgument {}

/// How `vigil cases` prints.
public enum CaseOutput {
    public enum Format: String, ExpressibleByArgument, Sendable { case table, json, csv }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func list(_ cases: [CaseRecord], json: Bool) throws {
        if json {
            for record in cases { print(try Self.json(record)) }
            return
        }
        guard !cases.isEmpty else { return print("no cases") }
        let day = ISO8601DateFormatter()
        print(Output.table(["ID", "STATUS", "TYPE", "TITLE", "ASSIGNEE", "AREA", "CREATED", "BY"], cases.map {
            [String($0.id ?? 0), $0.status.rawValue, $0.type, $0.title, $0.assignee ?? "-", $0.area ?? "-",
             day.string(from: $0.createdAt), $0.createdBy]
        }))
    }

    static func text(_ file: CaseFile) -> String {
        let time = ISO8601DateFormatter()
        let r = file.record
        var lines = ["case \(r.id ?? 0): \(r.title)",
                     "  type \(r.type), \(r.status.rawValue), assignee \(r.assignee ?? "-"), area \(r.area ?? "-")",
                     "  opened \(time.string(from: r.createdAt)) by \(r.createdBy), updated \(time.string(from: r.updatedAt))"
                         + (r.closedAt.map { ", closed \(time.string(from: $0))" } ?? "")]
        for party in file.parties {
            lines.append("  \(party.kind.rawValue): \(party.reference)\(party.name.map { " (\($0))" } ?? "")")
        }
        func alertLine(_ a: Alert) -> String {
            let evidence = a.kind == "plate" ? "read \(a.plateText ?? a.subjectID)" : String(format: "distance %.3f of %.2f", a.distance, a.threshold)
            return "    #\(a.id ?? 0) \(time.string(from: a.lastSeen)) \(a.cameraID) \(a.watchlist)/\(a.subjectID) \(evidence)"
                + (a.snapshotPath.map { " snapshot \($0)" } ?? "")
        }
        if !file.alerts.isEmpty { lines.append("  linked alerts:"); lines += file.alerts.map(alertLine) }
        if !file.relatedAlerts.isEmpty { lines.append("  later alerts for its people or vehicles (not linked):"); lines += file.relatedAlerts.map(alertLine) }
        if !file.incidents.isEmpty {
            lines.append("  incidents:")
            lines += file.incidents.map { "    #\($0.id ?? 0) \($0.source)/\($0.sourceID) \(time.string(from: $0.occurredAt)) \($0.area ?? "-") \($0.category ?? "")" }
        }
        if !file.entries.isEmpty {
            lines.append("  journal:")
            for e in file.entries {
                let head = "    \(e.seq). \(time.string(from: e.at)) \(e.author)"
                if e.kind == .attachment {
                    lines.append(head + " attached \(e.fileName ?? "") (\(e.fileSize ?? 0) bytes, sha256 \(e.fileSHA256 ?? ""))"
                                 + (e.body.isEmpty ? "" : ": \(e.body)"))
                } else {
                    lines.append(head + ":")
                    lines += e.body.split(separator: "\n", omittingEmptySubsequences: false).map { "       \($0)" }
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func statistics(_ s: CaseStatistics, format: Format) throws -> String {
        switch format {
        case .json:
            return try json(s)
        case .csv:
            return String(s.csv().dropLast())
        case .table:
            guard !s.rows.isEmpty else { return "no cases or alerts in that time" }
            return Output.table([s.period.rawValue.uppercased(), s.grouping.rawValue.uppercased(), "CASES", "ALERTS"],
                                s.rows.map { [$0.period, $0.group, String($0.cases), String($0.alerts)] })
        }
    }
}
