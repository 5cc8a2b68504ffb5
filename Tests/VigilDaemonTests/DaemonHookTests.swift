import Foundation
import VigilTestSupport
import GRDB
import Testing
import VigilCore
import VigilStore

/// Hooks in a real `vigil run`: alerts reach a receiver signed and with evidence;
/// `kill -9` in the middle of delivering loses nothing.
@Suite(.serialized) struct DaemonHookTests {
    static func hookYAML(url: URL, extra: String = "") -> String {
        """
        hooks:
          - name: control-room
            type: webhook
            url: \(url.absoluteString)
            secret: \(WebhookReceiver.secret)
            headers: {X-Site: hq}
        \(extra)
        delivery:
          schedule: [0, 0.3, 0.6]
        """
    }

    @Test(.enabled(if: Fixtures.sharedDataUsable))
    func alertsReachTheWebhookSignedWithTheirEvidence() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let receiver = try WebhookReceiver(directory: workspace.root)
        try FileHandle(forWritingTo: workspace.config).appendAndClose(Self.hookYAML(url: receiver.url, extra: "    include_snapshot: true"))
        try workspace.hamiltonWatchlist("stage", subjects: ["lin_manuel_miranda"])
        try workspace.camera("clip", "url: \(try Fixtures.shared("video/hamilton_short_clip.mp4"))\nloop: true\nwatchlists: [stage]\ncooldown: 5\n")
        let check = try workspace.vigil("config", "check", "--config", workspace.config.path)
        #expect(check.status == 0 && check.stdout.contains("control-room"), "\(check.stderr)")
        let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon.log"))

        let arrived = try workspace.waitFor(60) { receiver.requests.contains { $0.type == "alert.created" } }
        #expect(arrived != nil, "no webhook; log:\n\(daemon.output.suffix(2000))")
        // The running daemon's /metrics, with a camera, alerts and deliveries behind it: promtool-clean,
        // and it exports everything the shipped dashboard and alerting rules name.
        let port = try #require(daemon.apiPort(workspace: workspace))
        // Series appear as the daemon samples (once a second) and delivers: wait until all are there.
        let named = try MetricChecks.namedByDashboardAndRules()
        _ = workspace.waitFor(15) {
            named.isSubset(of: MetricChecks.families((try? HTTP.get("http://127.0.0.1:\(port)/metrics").body) ?? ""))
        }
        let metrics = try HTTP.get("http://127.0.0.1:\(port)/metrics")
        #expect(metrics.status == 200)
        try MetricChecks.check(metrics.body)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 10)?.status == 0)

        let created = try #require(receiver.requests.first { $0.type == "alert.created" })
        #expect(created.valid && created.has_snapshot && created.headers["X-Site"] == "hq" && created.id == created.body_id)
        let alertID = try #require(created.alert_id)
        let stored = try workspace.read { db in
            try Row.fetchOne(db, sql: "SELECT subjectID, snapshotPath FROM alert WHERE id = ?", arguments: [alertID])
        }
        #expect(stored?[0] == "lin_manuel_miranda")
        // Every delivery the outbox marked delivered reached the receiver.
        let delivered = Set(try workspace.read { try String.fetchAll($0, sql: "SELECT eventID FROM delivery WHERE state = 'delivered'") })
        #expect(!delivered.isEmpty && delivered.isSubset(of: Set(receiver.requests.compactMap(\.id))))
        let listed = try workspace.vigil("hooks", "list", "--config", workspace.config.path)
        #expect(listed.status == 0 && listed.stdout.contains("control-room") && listed.stdout.contains("LATENCY P50"), "\(listed.stderr)")
    }

    /// 600 deliveries queued; the daemon is killed with SIGKILL three times while sending them
    /// (the receiver answers in 5 ms), then left to finish: every Vigil-Id arrives.
    @Test func killNineDuringDeliveryLosesNothing() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let receiver = try WebhookReceiver(directory: workspace.root, arguments: ["--delay-ms", "5"])
        try FileHandle(forWritingTo: workspace.config).appendAndClose(Self.hookYAML(url: receiver.url))
        do {
            let database = try VigilDatabase(path: workspace.database.path)
            try HookFixtures.alerts(600, in: database, routes: [OutboxRoute(hook: "control-room", filter: HookFilter())])
        }
        let expected = Set(try workspace.read { try String.fetchAll($0, sql: "SELECT eventID FROM delivery") })
        #expect(expected.count == 600)
        var kills = 0
        for round in 1...4 {
            let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon-\(round).log"))
            if round < 4 {
                let target = 120 * round
                let reached = workspace.waitFor(60) { receiver.requests.count >= target }
                #expect(reached != nil, "round \(round): stuck at \(receiver.requests.count)\n\(daemon.output.suffix(1500))")
                daemon.signal(SIGKILL)
                _ = daemon.waitForExit(timeout: 10)
                kills += 1
                #expect(try workspace.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
            } else {
                let done = try workspace.waitFor(90) {
                    try workspace.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM delivery WHERE state != 'delivered'") } == 0
                }
                #expect(done != nil, "\(daemon.output.suffix(1500))")
                daemon.signal(SIGTERM)
                #expect(daemon.waitForExit(timeout: 10)?.status == 0)
            }
        }
        let received = receiver.requests.compactMap(\.id)
        #expect(Set(received) == expected)
        #expect(receiver.requests.allSatisfy { $0.valid })
        print("kill -9 during delivery x\(kills): \(expected.count) deliveries, \(Set(received).count) distinct received, "
              + "\(received.count - Set(received).count) duplicates (at least once)")
    }
}
