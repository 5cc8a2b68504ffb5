import Foundation
import VigilTestSupport
import Testing
import Logging
import VigilAnalysis
import VigilCore
@testable import VigilDaemon
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

@Suite struct MotionRegionsTests {
    /// A 160x90 grid of one grey level, with `blocks` painted brighter (x, y, w, h in cells).
    func grid(_ blocks: [(Int, Int, Int, Int)] = []) -> [UInt8] {
        var cells = [UInt8](repeating: 100, count: 160 * 90)
        for (x, y, w, h) in blocks {
            for row in y..<(y + h) { for column in x..<(x + w) { cells[row * 160 + column] = 200 } }
        }
        return cells
    }

    @Test func theFirstFrameIsSearchedWholeThenOnlyWhereSomethingMoved() {
        var motion = MotionRegions()
        let first = motion.update(grid: grid(), gridWidth: 160, gridHeight: 90, frameWidth: 1280, frameHeight: 720)
        #expect(first.regions == [BoundingBox(x: 0, y: 0, width: 1280, height: 720)])
        let still = motion.update(grid: grid(), gridWidth: 160, gridHeight: 90, frameWidth: 1280, frameHeight: 720)
        #expect(still.regions.isEmpty && still.changedFraction == 0)
        // Two people: a 6x12-cell blob on the left and a 4x10-cell blob on the right (8 px cells).
        let moved = motion.update(grid: grid([(10, 40, 6, 12), (120, 20, 4, 10)]), gridWidth: 160, gridHeight: 90,
                                  frameWidth: 1280, frameHeight: 720)
        #expect(moved.regions.count == 2)
        let left = moved.regions.first { $0.x < 640 }!, right = moved.regions.first { $0.x >= 640 }!
        // Each region holds its blob (80..128 x 320..416 and 960..992 x 160..240) with a margin, and little else.
        #expect(left.x <= 80 && left.x + left.width >= 128 && left.y <= 320 && left.y + left.height >= 416)
        #expect(right.x <= 960 && right.x + right.width >= 992 && right.y <= 160 && right.y + right.height >= 240)
        #expect(moved.coveredFraction < 0.1)
    }

    @Test func noiseBelowTheThresholdOrSmallerThanMinAreaIsIgnored() {
        var motion = MotionRegions()
        _ = motion.update(grid: grid(), gridWidth: 160, gridHeight: 90, frameWidth: 1280, frameHeight: 720)
        var flicker = grid()
        for index in stride(from: 0, to: flicker.count, by: 7) { flicker[index] = 110 }   // below 15 levels
        flicker[5000] = 250                                                                 // one hot cell
        let result = motion.update(grid: flicker, gridWidth: 160, gridHeight: 90, frameWidth: 1280, frameHeight: 720)
        #expect(result.regions.isEmpty)
    }

    @Test func aSceneThatMovesAlmostEverywhereIsSearchedWhole() {
        var motion = MotionRegions()
        _ = motion.update(grid: grid(), gridWidth: 160, gridHeight: 90, frameWidth: 1280, frameHeight: 720)
        let result = motion.update(grid: grid([(0, 0, 150, 80)]), gridWidth: 160, gridHeight: 90, frameWidth: 1280, frameHeight: 720)
        #expect(result.regions == [BoundingBox(x: 0, y: 0, width: 1280, height: 720)] && result.coveredFraction == 1)
    }

    @Test func overlappingBoxesMergeIntoOne() {
        let merged = MotionRegions.merged([BoundingBox(x: 0, y: 0, width: 10, height: 10), BoundingBox(x: 5, y: 5, width: 10, height: 10),
                                           BoundingBox(x: 50, y: 50, width: 5, height: 5)])
        #expect(Set(merged) == [BoundingBox(x: 0, y: 0, width: 15, height: 15), BoundingBox(x: 50, y: 50, width: 5, height: 5)])
    }
}

@Suite struct SweepPlannerTests {
    @Test func theBandsCoverTheWholeFrameOncePerSweep() {
        var sweep = SweepPlanner(bands: 5, overlap: 64)
        var covered = [Bool](repeating: false, count: 720)
        var steps: [SweepPlanner.Step] = []
        for _ in 0..<5 {
            let step = sweep.step(width: 1280, height: 720)
            steps.append(step)
            for y in step.band.y..<(step.band.y + step.band.height) { covered[y] = true }
            #expect(step.band.width == 1280 && step.maxFaceSize == 64)
        }
        #expect(covered.allSatisfy { $0 })
        // Neighbouring bands overlap by the largest face searched in them; larger faces get a whole-frame pass once.
        for (a, b) in zip(steps, steps.dropFirst()) { #expect(a.band.y + a.band.height - b.band.y >= 64) }
        #expect(steps.compactMap(\.largeFaces) == [64])
        #expect(sweep.step(width: 1280, height: 720) == steps[0])
    }
}

/// Cells that motion keeps sending the region search into, and that never show a face, are searched
/// only every few cycles; a face anywhere keeps its cells searched.
@Suite struct FaceZonesTests {
    let width = 1280, height = 720

    @Test func cellsSearchedOftenWithoutAFaceBecomeBarren() {
        var zones = FaceZones()
        let crowd = BoundingBox(x: 0, y: 0, width: 640, height: 720)     // the left half moves all the time
        for _ in 1..<FaceZones.barrenAfter { zones.noteSearched([crowd], frameWidth: width, frameHeight: height) }
        #expect(zones.fertile(frameWidth: width, frameHeight: height) == nil && zones.barrenCells == 0)
        zones.noteSearched([crowd], frameWidth: width, frameHeight: height)
        #expect(zones.barrenCells == FaceZones.columns / 2 * FaceZones.rows)
        // What stays searched every cycle is the half motion never sent the search into.
        let fertile = zones.fertile(frameWidth: width, frameHeight: height)
        #expect(fertile == [BoundingBox(x: 640, y: 0, width: 640, height: 720)])
    }

    @Test func aFaceKeepsItsCellsSearched() {
        var zones = FaceZones()
        let whole = BoundingBox(x: 0, y: 0, width: width, height: height)
        zones.learn(BoundingBox(x: 600, y: 300, width: 80, height: 80), frameWidth: width, frameHeight: height)
        for _ in 0..<FaceZones.barrenAfter { zones.noteSearched([whole], frameWidth: width, frameHeight: height) }
        let fertile = zones.fertile(frameWidth: width, frameHeight: height) ?? []
        #expect(fertile.count == 1)
        #expect(fertile.first.map { $0.contains(x: 640, y: 340) && $0.area < whole.area / 10 } == true, "\(fertile)")
        #expect(zones.barrenCells > FaceZones.columns * FaceZones.rows * 9 / 10)
    }
}

@Suite struct LoadFactorTests {
    @Test func dropsOnBusyCoresStretchDetectionItHoldsBetweenTheThresholdsAndEasesBackWhenTheyStop() {
        let load = LoadFactor()
        let logger = Logger(label: "test")
        load.sample(offered: 0, dropped: 0, busy: 1, logger: logger)
        load.sample(offered: 100, dropped: 30, busy: 1, logger: logger)      // 30% dropped: stretched, not yet "over capacity"
        #expect(!load.overCapacity && load.factor > 1)
        load.sample(offered: 200, dropped: 60, busy: 1, logger: logger)
        load.sample(offered: 300, dropped: 90, busy: 1, logger: logger)      // the third second in a row
        #expect(load.overCapacity)
        let stretched = load.factor
        for second in 4...10 { load.sample(offered: 100 * second, dropped: 90 + 2 * (second - 3), busy: 0.9, logger: logger) }   // 2% dropped
        #expect(load.overCapacity && load.factor == stretched, "held between the thresholds")
        for second in 11...40 { load.sample(offered: 100 * second, dropped: 104, busy: 0.9, logger: logger) }   // none dropped
        #expect(!load.overCapacity && load.factor == 1)
        for second in 41...60 { load.sample(offered: 100 * second, dropped: 104 + 40 * (second - 40), busy: 1, logger: logger) }   // 40% dropped
        #expect(load.overCapacity && load.factor == LoadFactor.maximum)
    }

    /// A node that climbs with holds between its stretches (never three seconds in a row) is as
    /// stretched as one that climbs at once, and says so from a factor of 1.5.
    @Test func aStretchReachedInStepsIsOverCapacityToo() {
        let load = LoadFactor()
        let logger = Logger(label: "test")
        load.sample(offered: 0, dropped: 0, busy: 1, logger: logger)
        var offered = 0, dropped = 0
        for _ in 1...2 {
            offered += 100; dropped += 6
            load.sample(offered: offered, dropped: dropped, busy: 0.9, logger: logger)   // 6% on busy cores: stretched
            offered += 100; dropped += 2
            load.sample(offered: offered, dropped: dropped, busy: 0.9, logger: logger)   // 2%: held
        }
        let factor = load.factor
        #expect(factor >= load.overAt && load.overCapacity, "factor \(factor)")
        let fresh = LoadFactor()
        fresh.sample(offered: 0, dropped: 0, busy: 1, logger: logger)
        fresh.sample(offered: 100, dropped: 6, busy: 0.9, logger: logger)
        fresh.sample(offered: 200, dropped: 8, busy: 0.9, logger: logger)
        #expect(!fresh.overCapacity, "one stretch and a hold is a moment, not over capacity")
    }

    /// A few frames dropped while the cores have time to spare are bursts, not a lack of capacity:
    /// stretching would only search less. Many dropped are stretched for whatever the cores do.
    @Test func dropsOnIdleCoresDoNotStretchUnlessSevere() {
        let load = LoadFactor()
        let logger = Logger(label: "test")
        load.sample(offered: 0, dropped: 0, busy: 0.6, logger: logger)
        for second in 1...10 { load.sample(offered: 100 * second, dropped: 6 * second, busy: 0.6, logger: logger) }   // 6% dropped
        #expect(load.factor == 1 && !load.overCapacity)
        for second in 11...14 { load.sample(offered: 100 * second, dropped: 60 + 6 * (second - 10), busy: 0.9, logger: logger) }   // on busy cores
        #expect(load.factor > 1 && load.overCapacity)
        let stretched = load.factor
        for second in 15...20 { load.sample(offered: 100 * second, dropped: 84 + 6 * (second - 14), busy: 0.6, logger: logger) }   // cores free again
        let eased = load.factor
        #expect(eased < stretched)
        for second in 21...24 { load.sample(offered: 100 * second, dropped: 120 + 20 * (second - 20), busy: 0.5, logger: logger) }   // 20%: severe
        #expect(load.factor > eased && load.overCapacity)
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

    /// A watchlist edit while a face is on camera: its track, its encodings spent and its vote cast
    /// for someone else, is encoded and voted on afresh, so the new enrolment names it.
    @Test func aWatchlistEditMatchesLiveTracksAgain() {
        var tracker = FaceTracker()
        var encodings = 0
        for step in 0..<20 {
            for tracked in tracker.update([detection(x: 100 + step)], time: Double(step) * 0.2) where tracked.needsEncoding { encodings += 1 }
        }
        let id = tracker.tracks[0].id
        let before = MatchResult(nearest: entry, distance: 0.4, threshold: 0.6, runnerUpDistance: nil)
        _ = tracker.record(trackID: id, match: before, sharpness: 50)
        #expect(encodings == 3)
        var moved = entry
        moved.watchlist = "night"
        tracker.forgetIdentities()
        var again = 0
        for step in 20..<40 {
            for tracked in tracker.update([detection(x: 100 + step)], time: Double(step) * 0.2) where tracked.needsEncoding { again += 1 }
        }
        #expect(tracker.tracks.map(\.id) == [id] && again == 3, "the same track, encoded again up to the bound")
        let decision = tracker.record(trackID: id, match: MatchResult(nearest: moved, distance: 0.41, threshold: 0.6, runnerUpDistance: nil),
                                      sharpness: 10)
        #expect(decision?.entry.watchlist == "night" && decision?.votes == 1 && decision?.isSharpest == true,
                "the earlier vote for the old list is gone")
    }

    @Test func aFaceThatLeavesStartsANewTrack() {
        var tracker = FaceTracker()
        let a = tracker.update([detection(x: 0)], time: 0)[0].trackID
        let b = tracker.update([detection(x: 0)], time: 5)[0].trackID
        #expect(a != b)
    }

    /// A still scene (the motion gate closed, FaceStage only starting frames) keeps nobody alive:
    /// a track not confirmed within the timeout expires, and a newcomer standing where someone
    /// left gets a track of its own, encoded afresh, instead of inheriting the old one's votes.
    @Test func aStillSceneDoesNotKeepAnUnseenTrackAlive() {
        var tracker = FaceTracker()
        let leaver = tracker.update([detection(x: 0)], time: 0)[0].trackID
        for t in stride(from: 0.2, through: 3, by: 0.2) { tracker.begin(time: t) }
        #expect(tracker.tracks.isEmpty)
        let newcomer = tracker.update([detection(x: 0)], time: 3.2)[0].trackID
        #expect(newcomer != leaver)
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
