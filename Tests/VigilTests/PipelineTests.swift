import Foundation
import Testing
import VigilCore
import VigilDaemon
import VigilMatching
import VigilStore
import VigilVision

private func solidFrame(_ value: UInt8, width: Int = 160, height: Int = 90, time: Double = 0) -> Frame {
    Frame(width: width, height: height, stride: width * 3, pixels: [UInt8](repeating: value, count: width * height * 3),
          time: time, index: 0)
}

/// One enrolled face with a zero encoding: what tracker and alert tests match against.
private let sampleFace = EnrolledFace(enrolmentID: 1, subjectID: "s", subjectName: "S", watchlist: "w", threshold: 0.6,
                                      sourcePath: "/e.jpg", encoding: FaceEncoding([Float](repeating: 0, count: 128))!)

@Suite struct FrameSchedulerTests {
    @Test func newestWinsAndEveryReplacedFrameIsCounted() {
        let scheduler = FrameScheduler(cameras: 2)
        for i in 0..<5 { scheduler.offer(PendingFrame(camera: 0, frame: solidFrame(UInt8(i)), capturedAt: Date(), streamTime: Double(i))) }
        #expect(scheduler.droppedFrames(camera: 0) == 4)
        let taken = scheduler.take()
        #expect(taken?.camera == 0 && taken?.frame.pixels.first == 4)   // the newest
        #expect(scheduler.droppedFrames(camera: 1) == 0)
    }

    @Test func aCameraIsHeldByOneWorkerAndCamerasTakeTurns() {
        let scheduler = FrameScheduler(cameras: 2)
        scheduler.offer(PendingFrame(camera: 0, frame: solidFrame(1), capturedAt: Date(), streamTime: 0))
        #expect(scheduler.take()?.camera == 0)
        scheduler.offer(PendingFrame(camera: 0, frame: solidFrame(2), capturedAt: Date(), streamTime: 1))
        scheduler.offer(PendingFrame(camera: 1, frame: solidFrame(3), capturedAt: Date(), streamTime: 1))
        #expect(scheduler.take()?.camera == 1)   // camera 0 is still being analysed
        scheduler.done(camera: 0)
        #expect(scheduler.take()?.camera == 0)
        scheduler.close()
        scheduler.done(camera: 0)
        scheduler.done(camera: 1)
        #expect(scheduler.take() == nil)
    }
}

@Suite struct MotionGateTests {
    @Test func stillScenesAreSkippedUntilTheKeyframeInterval() {
        var gate = MotionGate()
        let decisions = [(100, 0.0), (101, 0.2), (180, 0.4), (180, 1.0), (180, 2.5)].map { value, time in
            gate.shouldAnalyse(solidFrame(UInt8(value)), time: time)
        }
        // first frame; noise below the pixel threshold; a real change; still; forced keyframe
        #expect(decisions == [true, false, true, false, true])
    }
}

@Suite struct FaceTrackerTests {
    let entry = sampleFace

    func detection(x: Int) -> FaceDetection { FaceDetection(box: BoundingBox(x: x, y: 10, width: 50, height: 50), score: 1) }

    @Test func aStayingFaceKeepsItsTrackAndIsEncodedABoundedNumberOfTimes() {
        var tracker = FaceTracker()
        var encodings = 0, ids = Set<Int>()
        for step in 0..<50 {   // 10 s at 5 fps, moving slowly
            for tracked in tracker.update([detection(x: 100 + step)], time: Double(step) * 0.2) {
                ids.insert(tracked.trackID)
                if tracked.needsEncoding { encodings += 1 }
            }
        }
        #expect(ids.count == 1 && encodings == 3)
    }

    @Test func votesNameTheTrackAndTheSharpestSightingIsEvidence() {
        var tracker = FaceTracker()
        let id = tracker.update([detection(x: 0)], time: 0)[0].trackID
        let hit = MatchResult(nearest: entry, distance: 0.4, threshold: 0.6, runnerUpDistance: nil)
        let first = tracker.record(trackID: id, match: hit, sharpness: 50)
        #expect(first?.votes == 1 && first?.isSharpest == true)
        let blurrier = tracker.record(trackID: id, match: hit, sharpness: 20)
        #expect(blurrier?.votes == 2 && blurrier?.isSharpest == false)
        #expect(tracker.record(trackID: id, match: MatchResult(), sharpness: 99) == nil)   // no match, no decision
    }

    @Test func aFaceThatLeavesStartsANewTrack() {
        var tracker = FaceTracker()
        let a = tracker.update([detection(x: 0)], time: 0)[0].trackID
        let b = tracker.update([detection(x: 0)], time: 5)[0].trackID
        #expect(a != b)
        tracker.sceneUnchanged(time: 9)                                   // still scene keeps it alive
        #expect(tracker.update([detection(x: 0)], time: 10)[0].trackID == b)
    }
}

@Suite struct AlertStoreTests {
    @Test func sightingsWithinTheCooldownUpdateOneAlert() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try VigilDatabase(path: directory.appendingPathComponent("a.sqlite").path)
        let face = sampleFace
        let t0 = Date()
        func sighting(_ offset: Double, distance: Double, sharpness: Double, files: String?) -> FaceMatchEvidence {
            FaceMatchEvidence(cameraID: "cam", match: face, distance: distance, trackID: 1,
                              box: BoundingBox(x: 0, y: 0, width: 10, height: 10), sharpness: sharpness,
                              seenAt: t0.addingTimeInterval(offset), snapshotPath: files.map { $0 + ".jpg" }, cropPath: files.map { $0 + "-c.jpg" })
        }
        let first = try db.recordMatch(sighting(0, distance: 0.5, sharpness: 10, files: "a"), cooldown: 60)
        #expect(first.isNew)
        let sharper = try db.recordMatch(sighting(30, distance: 0.55, sharpness: 40, files: "b"), cooldown: 60)
        #expect(!sharper.isNew && sharper.alert.count == 2 && sharper.alert.snapshotPath == "b.jpg")
        #expect(sharper.replacedFiles == ["a.jpg", "a-c.jpg"] && sharper.alert.bestDistance == 0.5)
        let blurrier = try db.recordMatch(sighting(50, distance: 0.3, sharpness: 5, files: "c"), cooldown: 60)
        #expect(blurrier.alert.snapshotPath == "b.jpg" && blurrier.replacedFiles == ["c.jpg", "c-c.jpg"])
        #expect(blurrier.alert.bestDistance == 0.3 && blurrier.alert.count == 3)
        let later = try db.recordMatch(sighting(200, distance: 0.4, sharpness: 5, files: nil), cooldown: 60)
        #expect(later.isNew)
        #expect(try db.alerts().count == 2)
        #expect(try db.alerts(camera: "other").isEmpty)
    }

    /// Retention: evidence files of alerts last seen before the cutoff are handed
    /// back for deletion and cleared; the alerts themselves stay as the record.
    @Test func oldEvidenceExpiresButAlertsRemain() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = try VigilDatabase(path: directory.appendingPathComponent("r.sqlite").path)
        let face = sampleFace
        let old = Date().addingTimeInterval(-40 * 86_400), recent = Date()
        for (camera, seen) in [("a", old), ("b", recent)] {
            _ = try db.recordMatch(FaceMatchEvidence(cameraID: camera, match: face, distance: 0.4, trackID: 1,
                                                     box: BoundingBox(x: 0, y: 0, width: 9, height: 9), sharpness: 1, seenAt: seen,
                                                     snapshotPath: "/\(camera).jpg", cropPath: "/\(camera)-c.jpg"), cooldown: 60)
        }
        let expired = try db.expireEvidence(before: Date().addingTimeInterval(-30 * 86_400))
        #expect(expired.sorted() == ["/a-c.jpg", "/a.jpg"])
        let alerts = try db.alerts()
        #expect(alerts.count == 2)
        #expect(alerts.first { $0.cameraID == "a" }?.snapshotPath == nil && alerts.first { $0.cameraID == "b" }?.snapshotPath == "/b.jpg")
        #expect(try db.expireEvidence(before: Date().addingTimeInterval(-30 * 86_400)).isEmpty)
    }
}
