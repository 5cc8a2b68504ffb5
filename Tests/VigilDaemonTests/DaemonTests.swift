import Foundation
import VigilTestSupport
import GRDB
import Testing

/// `vigil run` as a real process against a real RTSP server on 127.0.0.1.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct DaemonTests {
    @Test func rtspCameraAlertsSurvivesAnOutageAndIgnoresADeadCamera() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try workspace.hamiltonWatchlist("hamilton", subjects: ["lin_manuel_miranda", "alex_lacamoire"])
        let server = RTSPServer(port: try RTSPServer.freePort(), name: "stage", media: try workspace.loopedClip(times: 12))
        try server.start()
        let nothing = try RTSPServer.freePort()
        let reconnect = "reconnect:\n  initial: 0.5\n  max: 2\n  stall_timeout: 3\n  open_timeout: 3\n"
        try workspace.camera("stage", "url: \(server.url)\nwatchlists: [hamilton]\ncooldown: 5\n" + reconnect)
        try workspace.camera("dead", "url: rtsp://127.0.0.1:\(nothing)/none\nwatchlists: [hamilton]\n" + reconnect)
        let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon.log"))

        // Alerts for the enrolled people arrive from the RTSP camera.
        let firstAlert = try workspace.waitFor(60) { try workspace.alertCount(subject: "lin_manuel_miranda") > 0 }
        #expect(firstAlert != nil, "no alert; log:\n\(daemon.output.suffix(3000))")
        // The dead camera stays in backoff without holding the other back.
        let dead = try #require(try workspace.status("dead"))
        // (Between attempts it is in back-off; the status may catch it connecting again.)
        #expect((dead.state.hasPrefix("backoff") || dead.state == "connecting") && dead.reconnects >= 2, "\(dead)")

        // Outage: the server dies for 10 s.
        server.kill()
        Thread.sleep(forTimeInterval: 10)
        let down = try #require(try workspace.status("stage"))
        #expect(!down.state.hasPrefix("streaming"), "\(down)")
        let alertsBefore = try workspace.read { try Int.fetchOne($0, sql: "SELECT IFNULL(SUM(count), 0) FROM alert") ?? 0 }

        // Recovery without intervention: the gap from server-up to streaming again.
        try server.start()
        let gap = try workspace.waitFor(30) {
            guard let s = try workspace.status("stage") else { return false }
            return s.state == "streaming" && s.decoded > down.decoded
        }
        print("reconnect: server up -> new frames in \(gap.map { String(format: "%.1f", $0) } ?? "never") s (status is reported every 1 s)")
        #expect(gap != nil && gap! < 8)
        let resumed = try workspace.waitFor(40) {
            try workspace.read { try Int.fetchOne($0, sql: "SELECT IFNULL(SUM(count), 0) FROM alert") ?? 0 } > alertsBefore
        }
        #expect(resumed != nil, "no sighting after reconnect")
        #expect(try workspace.status("dead").map { $0.state.hasPrefix("backoff") || $0.state == "connecting" } == true)

        // Evidence and explanation are stored with the alert.
        let evidence = try workspace.read { db in
            try Row.fetchOne(db, sql: "SELECT distance, threshold, enrolmentImage, snapshotPath, cropPath FROM alert WHERE subjectID = 'lin_manuel_miranda'")
        }
        let row = try #require(evidence)
        #expect((row[0] as Double) <= 0.6 && (row[1] as Double) == 0.6 && (row[2] as String).contains("/enrolments/") && (row[2] as String).hasSuffix(".png"))
        #expect(FileManager.default.fileExists(atPath: row[3] as String) && FileManager.default.fileExists(atPath: row[4] as String))

        // Graceful shutdown within 5 s, exit 0.
        daemon.signal(SIGTERM)
        let exit = daemon.waitForExit(timeout: 10)
        print("shutdown after SIGTERM: \(exit.map { String(format: "%.2f s, status %d", $0.seconds, $0.status) } ?? "timed out")")
        #expect(exit?.status == 0 && exit!.seconds < 5)
        #expect(try workspace.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
    }

    @Test func watchlistEditsTakeEffectWhileRunning() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try workspace.hamiltonWatchlist("live", subjects: ["alex_lacamoire"])
        try workspace.camera("clip", "url: \(try Fixtures.shared("video/hamilton_short_clip.mp4"))\nloop: true\nwatchlists: [live]\ncooldown: 0\n")
        let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon.log"))
        _ = try workspace.waitFor(30) { try workspace.status("clip")?.state == "streaming" }
        Thread.sleep(forTimeInterval: 4)
        #expect(try workspace.alertCount(subject: "lin_manuel_miranda") == 0)

        // Enrol from another process: alerts start without a restart.
        let enrolled = try workspace.vigil("watchlist", "enroll", "live", "--subject", "lin_manuel_miranda",
                                           try Fixtures.shared("faces/lin_manuel_miranda/1.png"))
        #expect(enrolled.status == 0)
        let appeared = try workspace.waitFor(25) { try workspace.alertCount(subject: "lin_manuel_miranda") > 0 }
        print("enrolment -> first alert: \(appeared.map { String(format: "%.1f", $0) } ?? "never") s (the clip loops every 9.2 s)")
        #expect(appeared != nil, "log:\n\(daemon.output.suffix(2000))")

        // Remove them: within 2 s the daemon stops matching them.
        #expect(try workspace.vigil("watchlist", "remove", "live", "--subject", "lin_manuel_miranda").status == 0)
        Thread.sleep(forTimeInterval: 2.5)
        let settled = try workspace.alertCount(subject: "lin_manuel_miranda")
        Thread.sleep(forTimeInterval: 12)
        #expect(try workspace.alertCount(subject: "lin_manuel_miranda") == settled)
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 10)?.status == 0)
    }

    /// kill -9 at random moments of an alert burst, 20 times: the database stays
    /// sound and holds every alert the daemon reported as committed.
    @Test func killNineNeverLosesACommittedAlert() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try workspace.hamiltonWatchlist("burst", subjects: ["lin_manuel_miranda", "alex_lacamoire"])
        try workspace.camera("clip", "url: \(try Fixtures.shared("video/hamilton_short_clip.mp4"))\nloop: true\nanalyse_fps: 30\nwatchlists: [burst]\ncooldown: 0\n")
        var reported = Set<Int64>()
        for round in 1...20 {
            let daemon = try DaemonProcess(config: workspace.config, extra: ["--fast", "--no-motion-regions", "--no-tracking"],
                                           log: workspace.root.appendingPathComponent("daemon-\(round).log"))
            let started = workspace.waitFor(30) { !daemon.reportedAlertIDs.isEmpty }
            #expect(started != nil, "round \(round): no alert\n\(daemon.output.suffix(1500))")
            Thread.sleep(forTimeInterval: Double.random(in: 0...1.5))
            daemon.signal(SIGKILL)
            _ = daemon.waitForExit(timeout: 10)
            let ids = daemon.reportedAlertIDs
            reported.formUnion(ids)
            #expect(try workspace.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok", "round \(round)")
            let stored = Set(try workspace.read { try Int64.fetchAll($0, sql: "SELECT id FROM alert") })
            #expect(ids.isSubset(of: stored), "round \(round): missing \(ids.subtracting(stored).sorted())")
        }
        print("kill -9 x20: \(reported.count) alerts reported committed, all present; integrity_check ok every round")
    }
}
