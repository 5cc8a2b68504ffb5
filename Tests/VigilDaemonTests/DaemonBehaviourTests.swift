import Foundation
import GRDB
import Testing
import VigilTestSupport

/// `vigil run` with people and behaviour rules on a camera: a scenario clip with a known script
/// (walk in, stand 11 s, walk out) becomes intrusion, loitering and forbidden-crossing alerts with
/// their evidence, a webhook-ready payload, and line counts in `/metrics`.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct DaemonBehaviourTests {
    @Test func behaviourRulesBecomeAlertsWithEvidence() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        let clip = try Fixtures.loiteringScenario(in: workspace.root)
        try workspace.camera("lobby", """
            url: \(clip)
            detect: []
            cooldown: 60
            behaviour:
              people: {min_height: 128}
              zones:
                - {name: vault, points: [[350, 100], [800, 100], [800, 540], [350, 540]]}
              rules:
                - {type: intrusion, zone: vault}
                - {type: loitering, zone: vault, seconds: 8}
                - {type: loitering, zone: vault, seconds: 12}
              lines:
                - {name: door, from: [300, 0], to: [300, 540], forbidden: out}
            """)
        let token = try workspace.vigil("tokens", "create", "wall", "--role", "viewer").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon.log"))
        defer { daemon.signal(SIGKILL) }
        let port = try #require(daemon.apiPort(workspace: workspace))
        let done = try workspace.waitFor(60) {
            try workspace.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM alert WHERE rule = 'line'") ?? 0 } > 0
        }
        #expect(done != nil, "no line alert; log:\n\(daemon.output.suffix(3000))")
        Thread.sleep(forTimeInterval: 1)
        let rows = try workspace.read { db in
            try Row.fetchAll(db, sql: """
                SELECT kind, rule, zone, line, dwellSeconds, direction, threshold, subjectName, snapshotPath, path, count, sharpness
                FROM alert ORDER BY id
                """)
        }
        let rules = rows.map { $0["rule"] as String }
        #expect(rules == ["intrusion", "loitering", "line"], "\(rows)")
        #expect(rows.allSatisfy { ($0["kind"] as String) == "behaviour" && ($0["sharpness"] as Double) > 0 }, "kind and detection score")
        if rows.count == 3 {
            let loitering = rows[1]
            let dwell: Double = loitering["dwellSeconds"]
            #expect(dwell >= 8 && dwell < 9 && (loitering["threshold"] as Double) == 8, "fired within a second of the dwell")
            #expect((loitering["subjectName"] as String).hasPrefix("loitering in vault for"))
            #expect((rows[2]["direction"] as String) == "out" && (rows[2]["line"] as String) == "door")
            for row in rows {
                let snapshot: String = row["snapshotPath"]
                #expect(FileManager.default.fileExists(atPath: snapshot), "evidence \(snapshot)")
                #expect(((row["path"] as String?) ?? "").contains(","), "the person's path is kept")
            }
        }
        let metrics = try HTTP.get("http://127.0.0.1:\(port)/metrics").body
        #expect(metrics.contains("vigil_line_crossings_total{camera=\"lobby\",line=\"door\",direction=\"in\"} 1"), "\(metrics.suffix(1500))")
        #expect(metrics.contains("vigil_line_crossings_total{camera=\"lobby\",line=\"door\",direction=\"out\"} 1"))
        // The page draws the zones and lines over the preview from the camera's description.
        let cameras = try HTTP.get("http://127.0.0.1:\(port)/v1/cameras", token: token).body
        #expect(cameras.contains(#""zones":[{"name":"vault","points":[[350,100],[800,100],[800,540],[350,540]],"rules":["intrusion","loitering","loitering"]}]"#), "\(cameras)")
        #expect(cameras.contains(#""lines":[{"forbidden":"out","from":[300,0],"name":"door","to":[300,540]}]"#), "\(cameras)")
        let status = try workspace.vigil("status", "--json").stdout
        #expect(status.contains("\"people\":"), "\(status)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 10)?.status == 0)
    }
}
