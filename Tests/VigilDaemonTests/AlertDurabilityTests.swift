import Foundation
import VigilTestSupport
import GRDB
import Logging
import Testing
@testable import VigilAnalysis
import VigilCore
@testable import VigilDaemon
import VigilStore
import VigilVision

/// Alerts are never lost: not when another process holds the database's write lock, not when
/// the snapshots folder is full, not when the daemon stops with alerts still waiting, and not
/// when matches arrive faster than the disk takes them (frames are dropped before alerts).
@Suite(.serialized) struct AlertDurabilityTests {
    static func face(_ subject: String) -> EnrolledFace {
        EnrolledFace(enrolmentID: 1, subjectID: subject, subjectName: subject.capitalized, watchlist: "w", threshold: 0.6,
                     sourcePath: "/e.jpg", encoding: FaceEncoding([Float](repeating: 0, count: 128))!)
    }

    static func event(_ subject: String, frame: Bool = true, at date: Date = Date()) -> MatchEvent {
        let pixels = (0..<(320 * 180 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        return MatchEvent(camera: 0, cameraID: "gate", cooldown: 30,
                          decision: FaceTracker.Decision(trackID: 1, entry: face(subject), distance: 0.41, votes: 1, isSharpest: frame),
                          box: BoundingBox(x: 100, y: 50, width: 60, height: 60), sharpness: 12,
                          evidenceFrame: frame ? Frame(width: 320, height: 180, stride: 960, pixels: pixels, time: 0, index: 0) : nil,
                          capturedAt: date)
    }

    static func waitFor(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    @Test func anAlertWaitsOutAnotherWriterHoldingTheLockForTenSeconds() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vigil.sqlite").path
        let database = try VigilDatabase(path: path)
        let sink = try AlertSink(database: database, snapshots: folder.appendingPathComponent("snapshots").path,
                                 spool: folder.appendingPathComponent("spool").path, logger: Logger(label: "test"))
        _ = try Fixtures.holdWriteLock(path, seconds: 10)
        let started = Date()
        sink.submit(Self.event("ada"))
        sink.submit(Self.event("bob"))
        let stored = try Self.waitFor(30) { try database.alerts().count == 2 }
        #expect(stored, "the spooled alerts were stored after the lock was released")
        #expect(Date().timeIntervalSince(started) >= 9.5)
        let alerts = try database.alerts()
        for alert in alerts {
            #expect(alert.evidenceMissing == nil)
            #expect(FileManager.default.fileExists(atPath: alert.snapshotPath ?? ""), "evidence kept for \(alert.subjectID)")
        }
        #expect(Set(alerts.map(\.subjectID)) == ["ada", "bob"])
        #expect(sink.spoolDepth == 0)
    }

    @Test func spooledAlertsSurviveARestart() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vigil.sqlite").path
        let spool = folder.appendingPathComponent("spool").path
        let snapshots = folder.appendingPathComponent("snapshots").path
        let database = try VigilDatabase(path: path, busyTimeout: 0.2)
        do {
            let holder = try Fixtures.holdWriteLock(path, seconds: 2)
            let sink = try AlertSink(database: database, snapshots: snapshots, spool: spool, logger: Logger(label: "test"))
            sink.submit(Self.event("ada"))
            sink.flush()
            #expect(sink.spoolDepth == 1)
            _ = holder
        }
        // The first daemon is gone (its sink kept only the spool file); wait for the other writer to finish.
        Thread.sleep(forTimeInterval: 2.5)
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasSuffix(".json") }.count <= 1)
        let restarted = try AlertSink(database: database, snapshots: snapshots, spool: spool, logger: Logger(label: "test"))
        let stored = try Self.waitFor(10) { try database.alerts().count == 1 }
        #expect(stored, "the alert spooled before the restart was stored after it")
        #expect(restarted.spoolDepth == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasSuffix(".json") }.isEmpty)
    }

    @Test func aFullQueueDropsEvidenceFramesBeforeAlerts() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vigil.sqlite").path
        let database = try VigilDatabase(path: path, busyTimeout: 1)
        let sink = try AlertSink(database: database, snapshots: folder.appendingPathComponent("snapshots").path,
                                 spool: folder.appendingPathComponent("spool").path, limits: .init(frames: 2, events: 5),
                                 logger: Logger(label: "test"))
        // The first event blocks on the lock; the next ones queue behind it.
        _ = try Fixtures.holdWriteLock(path, seconds: 2)
        for index in 0..<8 { sink.submit(Self.event("person\(index)")) }
        sink.flush()
        let stored = try Self.waitFor(20) { try database.alerts().count == 5 }
        #expect(stored, "the five admitted alerts are stored")
        let alerts = try database.alerts(limit: 10).sorted { $0.subjectID < $1.subjectID }
        #expect(alerts.map(\.subjectID) == (0..<5).map { "person\($0)" })
        let withEvidence = alerts.filter { $0.snapshotPath != nil }.map(\.subjectID)
        #expect(withEvidence == ["person0", "person1"], "the first two kept their frames")
        for alert in alerts.dropFirst(2) {
            #expect(alert.evidenceMissing?.contains("alert queue was full") == true, "\(alert.subjectID): \(alert.evidenceMissing ?? "nil")")
        }
    }

    @Test func aFullSnapshotsFolderStoresTheAlertWithTheReasonAndLeavesNoTornFiles() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let snapshots = folder.appendingPathComponent("snapshots")
        try FileManager.default.createDirectory(at: snapshots, withIntermediateDirectories: true)
        try Fixtures.mountTmpfs(at: snapshots.path, size: "256k")
        defer { _ = try? Run.program("/bin/umount", [snapshots.path]) }
        // Fill it: the next evidence write runs out of space part-way.
        let filler = snapshots.appendingPathComponent("filler").path
        _ = try Run.program("/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=4k"])
        let database = try VigilDatabase(path: folder.appendingPathComponent("vigil.sqlite").path)
        let sink = try AlertSink(database: database, snapshots: snapshots.path, spool: folder.appendingPathComponent("spool").path,
                                 logger: Logger(label: "test"))
        sink.submit(Self.event("ada"))
        sink.flush()
        let first = try #require(try database.alerts().first, "the alert is stored without its evidence")
        #expect(first.snapshotPath == nil && first.cropPath == nil)
        #expect(first.evidenceMissing?.contains("No space left on device") == true, "\(first.evidenceMissing ?? "nil")")
        let left = try FileManager.default.subpathsOfDirectory(atPath: snapshots.path).filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".tmp") }
        #expect(left.isEmpty, "no torn evidence files: \(left)")
        // Space again: the next sighting of the same alert brings its evidence.
        try FileManager.default.removeItem(atPath: filler)
        sink.submit(Self.event("ada", at: Date().addingTimeInterval(1)))
        sink.flush()
        let updated = try #require(try database.alerts().first)
        #expect(updated.count == 2)
        #expect(updated.evidenceMissing == nil)
        #expect(FileManager.default.fileExists(atPath: updated.snapshotPath ?? ""))
    }
}
