import Foundation
import VigilTestSupport
import GRDB
import Testing

/// A node asked for more than it can hold keeps every camera, degrades them
/// evenly, says so in `vigil status` and the log, and accounts each camera's CPU by stage.
@Suite(.enabled(if: Fixtures.sharedDataUsable), .serialized)
struct DaemonCapacityTests {
    @Test func anOverloadedNodeKeepsEveryCameraAndSaysSo() async throws {
        // It loads every core on purpose: not beside a test that measures time.
        try await CPUHeavyTests.exclusive { try overloadedNode() }
    }

    func overloadedNode() throws {
        let workspace = try DaemonWorkspace()
        defer { try? FileManager.default.removeItem(at: workspace.root) }
        try workspace.hamiltonWatchlist("hamilton", subjects: ["lin_manuel_miranda"])
        // Six cameras analysed at 15 fps with a region search in every frame: far more than two cores hold.
        let clip = try Fixtures.shared("video/hamilton_short_clip.mp4")
        let ids = (1...6).map { "cam\($0)" }
        for id in ids {
            try workspace.camera(id, "url: \(clip)\nloop: true\nanalyse_fps: 15\ndetect_fps: 15\nwatchlists: [hamilton]\n")
        }
        let log = workspace.root.appendingPathComponent("daemon.log")
        let daemon = try DaemonProcess(config: workspace.config, log: log)
        let flagged = try workspace.waitFor(40) {
            try workspace.read { try Bool.fetchOne($0, sql: "SELECT MAX(overCapacity) FROM cameraStatus") ?? false }
        }
        #expect(flagged != nil, "never flagged over capacity\n\(daemon.output.suffix(2000))")
        Thread.sleep(forTimeInterval: 6)
        let rows = try workspace.read { db in
            try Row.fetchAll(db, sql: "SELECT cameraID, handledFPS, cpuDecode, cpuMotion, cpuDetect, cpuTrack, cpuEncode, overCapacity, detectStretch FROM cameraStatus")
        }
        let status = try workspace.vigil("status")
        daemon.signal(SIGTERM)
        _ = daemon.waitForExit(timeout: 20)
        let handled: [Double] = rows.map { $0["handledFPS"] }
        print("over capacity: handled fps per camera \(handled.map { String(format: "%.1f", $0) }.joined(separator: " "))")
        print(status.stdout)
        // Every camera is still served, and none gets less than half of the best-served one's rate.
        #expect(rows.count == 6 && handled.allSatisfy { $0 > 0.5 })
        #expect((handled.min() ?? 0) >= 0.5 * (handled.max() ?? 0), "\(handled)")
        // Each camera's CPU is accounted by stage.
        for row in rows {
            let decode: Double = row["cpuDecode"], detect: Double = row["cpuDetect"], motion: Double = row["cpuMotion"]
            #expect(decode > 0 && detect > 0 && motion > 0, "\(row)")
        }
        #expect(status.stdout.contains("node OVER CAPACITY") && status.stdout.contains("CPU MS/S"), "\(status.stdout)")
        // Every camera reports the same stretch of its detection interval: they degrade evenly.
        let stretches = Set(rows.map { (row: Row) -> Double in row["detectStretch"] })
        #expect(stretches.count == 1 && (stretches.first ?? 1) > 1, "\(stretches)")
        #expect(status.stdout.contains("stretched evenly, ") && status.stdout.contains("x, to keep all of them in real time"), "\(status.stdout)")
        #expect(daemon.output.contains("over capacity: cameras degrade evenly"))
    }
}
