import Foundation
import VigilTestSupport
import Testing

/// What a running daemon's /metrics must satisfy: promtool (Debian `prometheus`) finds no problem,
/// and every metric the shipped Grafana dashboard and Prometheus rules name is exported.
enum MetricChecks {
    static let dashboard = Fixtures.packageRoot.appendingPathComponent("packaging/grafana/vigil-dashboard.json")
    static let rules = Fixtures.packageRoot.appendingPathComponent("packaging/prometheus/vigil-rules.yml")

    /// Metric names in PromQL text (the dashboard's `expr`s, the rules' `expr:` lines); histogram
    /// series (`_bucket`, `_sum`, `_count`) are named by their family.
    static func names(inQueries text: String) -> Set<String> {
        Set(text.matches(of: /\b((?:vigil|process)_[a-z_]+)/).map { match in
            var name = String(match.1)
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
            return name
        })
    }

    static func namedByDashboardAndRules() throws -> Set<String> {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dashboard)) as? [String: Any]
        let panels = json?["panels"] as? [[String: Any]] ?? []
        let queries = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        let ruleText = try String(contentsOf: rules, encoding: .utf8)
        return names(inQueries: queries.joined(separator: "\n")).union(names(inQueries: ruleText))
    }

    /// Families (`# TYPE name kind`) in an exposition.
    static func families(_ exposition: String) -> Set<String> {
        Set(exposition.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.compactMap { $0.split(separator: " ").dropFirst(2).first.map(String.init) })
    }

    /// Runs every check on one exposition; returns what promtool said.
    static func check(_ exposition: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try exposition.write(to: file, atomically: true, encoding: .utf8)
        let promtool = try Run.program("/bin/sh", ["-c", "promtool check metrics < '\(file.path)'"])
        #expect(promtool.status == 0 && promtool.stdout.isEmpty && promtool.stderr.isEmpty,
                "promtool check metrics: \(promtool.stdout)\(promtool.stderr)")
        let exported = families(exposition)
        let named = try namedByDashboardAndRules()
        #expect(named.count >= 15, "the dashboard and rules name \(named.count) metrics")
        #expect(named.subtracting(exported).isEmpty, "named by the dashboard or rules but not exported: \(named.subtracting(exported).sorted())")
        let rules = try Run.program("/usr/bin/promtool", ["check", "rules", Self.rules.path])
        #expect(rules.status == 0, "promtool check rules: \(rules.stdout)\(rules.stderr)")
        print("metrics: \(exported.count) families exported, promtool said \(promtool.stdout.isEmpty && promtool.stderr.isEmpty ? "nothing" : "something"); the dashboard and rules name \(named.count), \(named.subtracting(exported).count) of them missing")
    }
}
