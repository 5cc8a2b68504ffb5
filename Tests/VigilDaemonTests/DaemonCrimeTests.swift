import Foundation
import VigilCluster
import VigilCore
import VigilTestSupport
import GRDB
import Testing

/// `services: [crime]` in a real `vigil run`: incidents, scores, hotspots and the registry
/// over HTTP on loopback, and the scheduled retrain whose drift check reaches a real webhook
/// receiver when incidents from elsewhere start arriving.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct DaemonCrimeTests {
    static func call(_ method: String, _ url: String, token: String, body: String? = nil) throws -> (status: Int, body: String) {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, url, "-H", "Authorization: Bearer \(token)"]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let run = try Run.program("/usr/bin/curl", arguments)
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test func crimeRoutesAndDriftAlertThroughTheHooks() async throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try await Self.exercise(workspace, database: workspace.database.path) {
            try workspace.read { db in
                (try Double.fetchOne(db, sql: "SELECT maxPSI FROM crimeDrift WHERE alerted ORDER BY id LIMIT 1"),
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM crimeModel WHERE stage = 'production'"),
                 try Int.fetchOne(db, sql: "SELECT MAX(version) FROM crimeModel"))
            }
        }
    }

    /// The same on a shared PostgreSQL: incidents, the registry and drift checks live in the server.
    @Test(.enabled(if: TestPostgres.usable)) func crimeOnASharedPostgreSQL() async throws {
        try await TestPostgres.withDatabase { location in
            let workspace = try DaemonWorkspace()
            defer { try? FileManager.default.removeItem(at: workspace.root) }
            try "database: \(location.description)\nsnapshots: snapshots\nworkers: 1\nlog_level: info\napi:\n  port: 0\n"
                .write(to: workspace.config, atomically: true, encoding: .utf8)
            try await Self.exercise(workspace, database: location.description) {
                (Double(try await TestPostgres.integer("SELECT (1000 * maxPSI)::int8 FROM crimeDrift WHERE alerted ORDER BY id LIMIT 1", on: location)) / 1000,
                 try await TestPostgres.integer("SELECT count(*)::int8 FROM crimeModel WHERE stage = 'production'", on: location),
                 try await TestPostgres.integer("SELECT max(version)::int8 FROM crimeModel", on: location))
            }
        }
    }

    /// Import, train and promote with the CLI, then run the daemon with `services: [crime]` on
    /// `database`; `results` reads the first alerting drift's PSI, the production count and the newest version.
    static func exercise(_ workspace: DaemonWorkspace, database: String,
                         results: () async throws -> (Double?, Int?, Int?)) async throws {
        try await CPUHeavyTests.exclusive { try await exerciseAlone(workspace, database: database, results: results) }
    }

    private static func exerciseAlone(_ workspace: DaemonWorkspace, database: String,
                                      results: () async throws -> (Double?, Int?, Int?)) async throws {
        let vigil = { (arguments: String...) throws -> Run in try Run.vigil(arguments, database: database, in: workspace.root) }
        #expect(try vigil("crime", "import", try Fixtures.shared("crime/la_westla_2020.csv"), "--mapping", "lapd").status == 0)
        let trained = try vigil("crime", "train", "--no-grid")
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try vigil("crime", "promote", "1").status == 0)
        let receiver = try WebhookReceiver(directory: workspace.root)
        defer { receiver.stop() }
        try FileHandle(forWritingTo: workspace.config).appendAndClose("""
        services: [crime]
        crime:
          retrain_interval: 2
          drift_minimum: 40
          drift_window: 200
        hooks:
          - name: analysts
            type: webhook
            url: \(receiver.url.absoluteString)
            secret: \(WebhookReceiver.secret)
            events: [crime.drift]

        """)
        let operatorToken = try vigil("tokens", "create", "desk", "--role", "operator").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon.log"))
        let port = try #require(daemon.apiPort(workspace: workspace), "\(daemon.output.suffix(2000))")
        let base = "http://127.0.0.1:\(port)/v1/crime"

        let incident = #"{"occurred_at": "2020-12-20T21:30", "latitude": 34.0507, "longitude": -118.4421, "area": "West LA", "premise": "STREET", "weapon": null, "victim_age": 34, "victim_sex": "M", "victim_descent": "W", "domestic": null}"#
        let scored = try Self.call("POST", "\(base)/score", token: operatorToken, body: incident)
        #expect(scored.status == 200 && scored.body.contains("\"version\":1") && scored.body.contains("\"predicted\""), "\(scored)")
        let missing = try Self.call("POST", "\(base)/score", token: operatorToken, body: incident.replacingOccurrences(of: "\"weapon\": null, ", with: ""))
        #expect(missing.status == 400 && missing.body.contains("weapon: missing"), "\(missing)")

        // Sixty reports from Chicago's coordinates, after the model's training data: a population it never saw.
        for i in 0..<60 {
            let body = #"{"id": "C\#(i)", "occurred_at": "2021-03-\#(String(format: "%02d", 1 + i % 28))T\#(String(format: "%02d", i % 24)):15", "latitude": \#(41.85 + Double(i % 10) * 0.01), "longitude": -87.65, "premise": "STREET", "weapon": null, "victim_age": null, "victim_sex": null, "victim_descent": null, "domestic": false}"#
            let stored = try Self.call("POST", "\(base)/incidents", token: operatorToken, body: body)
            #expect(stored.status == 201, "\(stored)")
        }
        #expect(try Self.call("POST", "\(base)/incidents", token: operatorToken, body: #"{"id": "C1", "occurred_at": "2021-03-02T01:15", "latitude": 41.86, "longitude": -87.65}"#).status == 409)
        let bad = try Self.call("POST", "\(base)/incidents", token: operatorToken, body: #"{"id": "C99", "occurred_at": "soon", "latitude": 41.86, "longitude": -87.65}"#)
        #expect(bad.status == 400 && bad.body.contains("occurred_at"), "\(bad)")
        let outcome = try Self.call("POST", "\(base)/incidents/api/C3/outcome", token: operatorToken, body: #"{"arrest": true}"#)
        #expect(outcome.status == 200 && outcome.body.contains("\"arrest\":true"), "\(outcome)")

        let hotspots = try Self.call("GET", "\(base)/hotspots?method=dbscan&eps=150&min_samples=25", token: operatorToken)
        #expect(hotspots.status == 200 && hotspots.body.contains("\"FeatureCollection\"") && hotspots.body.contains("\"Polygon\""))
        let models = try Self.call("GET", "\(base)/models?task=severity", token: operatorToken)
        #expect(models.status == 200 && models.body.contains("\"stage\":\"production\"") && models.body.contains("\"history\""))

        let drifted = workspace.waitFor(90) { receiver.requests.contains { $0.type == "crime.drift" && $0.valid } }
        #expect(drifted != nil, "no drift webhook; log:\n\(daemon.output.suffix(3000))")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 30)?.status == 0)

        let (psi, production, versions) = try await results()
        #expect((psi ?? 0) > 0.2 && production == 1 && (versions ?? 0) >= 2)
        print(String(format: "crime daemon (\(DatabaseAddress.isPostgres(database) ? "PostgreSQL" : "SQLite")): scheduled retrain registered %d versions; drift PSI %.2f > 0.2 reached the webhook signed", versions ?? 0, psi ?? 0))
    }
}
