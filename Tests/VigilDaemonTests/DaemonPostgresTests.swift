import Foundation
import Testing
import VigilCluster
import VigilCore
import VigilStore
import VigilTestSupport

/// `vigil run` on a shared PostgreSQL: the watchlists, alerts, outbox, tokens and camera status
/// live in the database server, and the daemon works as it does on its SQLite file.
@Suite(.serialized, .enabled(if: TestPostgres.usable && Fixtures.sharedDataUsable))
struct DaemonPostgresTests {
    @Test func aDaemonOnPostgreSQLReloadsALiveEnrolmentAlertsDeliversAndServes() async throws {
        try await TestPostgres.withDatabase { location in
            let workspace = try DaemonWorkspace()
            defer { try? FileManager.default.removeItem(at: workspace.root) }
            let receiver = try WebhookReceiver(directory: workspace.root)
            try """
                database: \(location.description)
                snapshots: snapshots
                workers: 2
                log_level: info
                api:
                  port: 0
                \(DaemonHookTests.hookYAML(url: receiver.url))
                """.write(to: workspace.config, atomically: true, encoding: .utf8)
            let run = { (arguments: [String]) throws -> Run in try Run.vigil(arguments, database: location.description, in: workspace.root) }
            #expect(try run(["watchlist", "create", "stage"]).status == 0)
            let first = try run(["watchlist", "enroll", "stage", "--subject", "alex_lacamoire", try Fixtures.shared("faces/alex_lacamoire/2.png")])
            #expect(first.status == 0, "\(first.stderr)")
            let token = try run(["tokens", "create", "wall", "--role", "operator"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(token.hasPrefix("vgl_"))
            try workspace.camera("clip", "url: \(try Fixtures.shared("video/hamilton_short_clip.mp4"))\nloop: true\nwatchlists: [stage]\ncooldown: 5\n")
            let check = try run(["config", "check", "--config", workspace.config.path])
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

            let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon.log"))
            let port = try #require(daemon.apiPort(workspace: workspace), "\(daemon.output.suffix(2000))")
            let base = "http://127.0.0.1:\(port)"
            let store = try await PostgresStore.open(location, logger: TestPostgres.logger)
            defer { store.close() }
            let streaming = workspace.waitFor(30) { (try? store.cameraStatus().first?.state) == "streaming" }
            #expect(streaming != nil, "\(daemon.output.suffix(2000))")
            try await Task.sleep(for: .seconds(4))
            #expect(try store.alerts().allSatisfy { $0.subjectID != "lin_manuel_miranda" })

            // Enrolled from another process while it runs: matched without a restart, committed to
            // PostgreSQL, delivered from its outbox, and served by the API.
            let enrolled = try run(["watchlist", "enroll", "stage", "--subject", "lin_manuel_miranda",
                                    try Fixtures.shared("faces/lin_manuel_miranda/1.png")])
            #expect(enrolled.status == 0, "\(enrolled.stderr)")
            let arrived = workspace.waitFor(30) {
                let ids = Set(((try? store.alerts()) ?? []).filter { $0.subjectID == "lin_manuel_miranda" }.compactMap(\.id))
                return receiver.requests.contains { $0.type == "alert.created" && $0.valid && $0.alert_id.map(ids.contains) == true }
            }
            print("postgres daemon: enrolment -> webhook for it: \(arrived.map { String(format: "%.1f", $0) } ?? "never") s (the clip loops every 9.2 s)")
            #expect(arrived != nil, "no webhook; log:\n\(daemon.output.suffix(2000))")
            let alert = try store.alerts().first { $0.subjectID == "lin_manuel_miranda" }
            #expect(alert?.snapshotPath != nil && alert?.watchlist == "stage")
            #expect(try HTTP.get("\(base)/v1/alerts", token: token).body.contains("lin_manuel_miranda"))
            #expect(try HTTP.get("\(base)/readyz").status == 200)
            let hooks = try run(["hooks", "list", "--config", workspace.config.path])
            #expect(hooks.status == 0 && hooks.stdout.contains("control-room"), "\(hooks.stdout)\(hooks.stderr)")
            // A case opened from the alert through the API lives in the shared database with its evidence.
            let opened = try Run.program("/usr/bin/curl", ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", "POST", "\(base)/v1/cases",
                                                           "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                                                           "--data-binary", "{\"alert\": \(alert?.id ?? 0)}"]).stdout
            #expect(opened.hasSuffix("\n201"), "\(opened)")
            let cases = try HTTP.get("\(base)/v1/cases", token: token)
            #expect(cases.status == 200 && cases.body.contains(" on clip"), "\(cases)")
            #expect(try store.searchCases(CaseSearch()).first.map { try store.caseFile($0.id!).alerts.map(\.id) } == [alert?.id])

            // A second daemon under the same node name (the host name, by default) is refused.
            let second = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("second.log"))
            let refused = second.waitForExit(timeout: 30)
            #expect(refused != nil && refused?.status != 0)
            #expect(second.output.contains("is in use by a live node"), "\(second.output.suffix(1000))")

            daemon.signal(SIGTERM)
            #expect(daemon.waitForExit(timeout: 30)?.status == 0)
        }
    }

    /// The database goes away mid-run (the daemon's role is locked out and its connections ended):
    /// the daemon keeps analysing, spools its sightings to the local journal, and stores them,
    /// in order, once the database lets it in again.
    @Test func aDaemonThatLosesPostgreSQLSpoolsItsAlertsAndStoresThemWhenItIsBack() async throws {
        try await TestPostgres.withLockableRole { role in
            let workspace = try DaemonWorkspace()
            defer { try? FileManager.default.removeItem(at: workspace.root) }
            try """
                database: \(role.location.description)
                snapshots: snapshots
                workers: 2
                log_level: info
                api:
                  port: 0
                """.write(to: workspace.config, atomically: true, encoding: .utf8)
            let run = { (arguments: [String]) throws -> Run in try Run.vigil(arguments, database: role.location.description, in: workspace.root) }
            #expect(try run(["watchlist", "create", "stage"]).status == 0)
            let enrolled = try run(["watchlist", "enroll", "stage", "--subject", "lin_manuel_miranda",
                                    try Fixtures.shared("faces/lin_manuel_miranda/1.png")])
            #expect(enrolled.status == 0, "\(enrolled.stderr)")
            try workspace.camera("clip", "url: \(try Fixtures.shared("video/hamilton_short_clip.mp4"))\nloop: true\nwatchlists: [stage]\ncooldown: 5\n")
            let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon.log"))
            let port = try #require(daemon.apiPort(workspace: workspace), "\(daemon.output.suffix(2000))")
            // Read as the database's owner, who is never locked out.
            let observer = try await PostgresStore.open(role.admin, logger: TestPostgres.logger)
            defer { observer.close() }
            let sightings = { ((try? observer.alerts()) ?? []).reduce(0) { $0 + $1.count } }
            let first = workspace.waitFor(60) { sightings() > 0 }
            #expect(first != nil, "no alert; log:\n\(daemon.output.suffix(2000))")

            try await role.lockOut()
            let before = sightings()
            // The outage is in the log and in /metrics: sightings spooled, counted.
            let spooledTotal = { () -> Int in
                let metrics = (try? HTTP.get("http://127.0.0.1:\(port)/metrics").body) ?? ""
                return metrics.firstMatch(of: /vigil_alert_sink_total\{outcome="spooled"\} ([0-9]+)/).flatMap { Int($0.1) } ?? 0
            }
            let spooling = workspace.waitFor(40) { spooledTotal() >= 3 }
            #expect(spooling != nil, "nothing spooled; log:\n\(daemon.output.suffix(2000))")
            #expect(daemon.output.contains("alert spooled: the database did not take it"))
            let spooled = spooledTotal()
            #expect(sightings() == before)   // nothing reached the database meanwhile

            try await role.letIn()
            let stored = workspace.waitFor(60) { daemon.output.contains("spooled alerts stored") }
            #expect(stored != nil, "the spool was not replayed; log:\n\(daemon.output.suffix(2000))")
            let after = sightings()
            print("postgres outage: \(spooled) sightings spooled while locked out; stored \(stored.map { String(format: "%.1f", $0) } ?? "never") s after the database let the daemon in; sightings \(before) -> \(after)")
            #expect(after >= before + spooled)

            // Again, and the daemon is killed (-9) while its sightings wait in the journal: the
            // next daemon replays them when it starts.
            try await role.lockOut()
            let base = spooledTotal()
            let again = workspace.waitFor(40) { spooledTotal() >= base + 3 }
            #expect(again != nil, "nothing spooled the second time; log:\n\(daemon.output.suffix(2000))")
            let waiting = sightings(), journal = spooledTotal() - base
            daemon.signal(SIGKILL)
            _ = daemon.waitForExit(timeout: 10)
            try await role.letIn()
            let next = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("next.log"))
            let replayed = workspace.waitFor(60) { sightings() >= waiting + journal }
            print("postgres outage and kill -9: \(journal) sightings in the journal; all stored \(replayed.map { String(format: "%.1f", $0) } ?? "never") s after the next daemon started")
            #expect(replayed != nil && next.output.contains("replaying spooled alerts"), "log:\n\(next.output.suffix(2000))")

            #expect(next.apiPort(workspace: workspace) != nil)   // started: its signal handlers are in place
            next.signal(SIGTERM)
            #expect(next.waitForExit(timeout: 30)?.status == 0)
        }
    }
}
