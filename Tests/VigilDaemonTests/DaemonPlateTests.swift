import Foundation
import VigilTestSupport
import GRDB
import Testing
import VigilPlates

/// `vigil run` reading plates from a camera: votes across frames, deny and allow
/// lists, and plate alerts with their evidence.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct DaemonPlateTests {
    /// Two parked cars, six seconds each, as an H.264 file camera (made at test time, never committed).
    private func parkingClip(_ workspace: DaemonWorkspace) throws -> String {
        let output = workspace.root.appendingPathComponent("parking.mp4").path
        let fit = "scale=1280:1280:force_original_aspect_ratio=decrease,pad=1280:1280:(ow-iw)/2:(oh-ih)/2,setsar=1"
        try Run.ffmpeg(["-loop", "1", "-t", "6", "-i", try Fixtures.shared("plates/br/br_001.jpg"),
                        "-loop", "1", "-t", "6", "-i", try Fixtures.shared("plates/br/br_048.jpg"),
                        "-filter_complex", "[0]\(fit)[a];[1]\(fit)[b];[a][b]concat=n=2:v=1", "-r", "10",
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", output])
        return output
    }

    @Test func denyListedPlateAlertsWithEvidenceAndAllowListWins() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        #expect(try workspace.vigil("watchlist", "create", "stolen", "--kind", "plate", "--region", "br").status == 0)
        #expect(try workspace.vigil("watchlist", "add-plate", "stolen", "AYO9034", "--label", "reported stolen").status == 0)
        #expect(try workspace.vigil("watchlist", "add-plate", "stolen", "PJI7589").status == 0)
        #expect(try workspace.vigil("watchlist", "create", "staff", "--kind", "plate", "--mode", "allow").status == 0)
        #expect(try workspace.vigil("watchlist", "add-plate", "staff", "PJI7589", "--label", "director's car").status == 0)
        try workspace.camera("gate", "url: \(try parkingClip(workspace))\nloop: true\ndetect: [plates]\ncooldown: 120\n"
            + "plates:\n  region: br\n  votes: 2\n")
        let daemon = try DaemonProcess(config: workspace.config, log: workspace.root.appendingPathComponent("daemon.log"))
        defer { daemon.signal(SIGKILL) }

        let alerted = try workspace.waitFor(60) { try workspace.alertCount(subject: "AYO9034") > 0 }
        #expect(alerted != nil, "no plate alert; log:\n\(daemon.output.suffix(3000))")
        // Let both cars pass at least twice more: the allow-listed one must never alert.
        Thread.sleep(forTimeInterval: 14)
        #expect(try workspace.alertCount(subject: "PJI7589") == 0, "allow-list ignored; log:\n\(daemon.output.suffix(2000))")

        let row = try #require(try workspace.read { db in
            try Row.fetchOne(db, sql: """
                SELECT kind, watchlist, subjectName, plateText, plateConfidence, distance, threshold, snapshotPath, cropPath, count
                FROM alert WHERE subjectID = 'AYO9034'
                """)
        })
        #expect((row[0] as String) == "plate" && (row[1] as String) == "stolen" && (row[2] as String) == "reported stolen")
        let distance: Double = row[5], threshold: Double = row[6]
        #expect(distance <= threshold && threshold == 1)
        let read: String = row[3]
        #expect(read.count == 7 && PlateMatcher.editDistance(read, "AYO9034") <= 1 && (row[4] as Double) >= 0.5)
        #expect(FileManager.default.fileExists(atPath: row[7] as String) && (row[8] as String).hasSuffix("-plate.jpg")
            && FileManager.default.fileExists(atPath: row[8] as String))
        // Sightings within the cooldown fold into the one alert.
        #expect(try workspace.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM alert") ?? 0 } == 1)
        print("plate alert after \(String(format: "%.1f", alerted ?? -1)) s; read \(row[3] as String), confidence \(row[4] as Double), count \(row[9] as Int)")

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 10)?.status == 0)
    }
}
