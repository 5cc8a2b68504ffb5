import VigilAnalysis
import VigilCore
import VigilVision

/// What one analysed frame yielded for people.
public struct BehaviourResult: Sendable {
    /// Every person still followed, with their latest box.
    public var people: [PersonTracker.Track] = []
    public var events: [BehaviourEvent] = []
    /// A person search ran in this frame.
    public var detected = false
    /// Source pixels searched in this frame.
    public var searchedPixels = 0
}

/// One camera's people and behaviour rules, frame by frame. At most `detect_fps` times a second it
/// searches for people where the frame moved and around the people it already follows (a person
/// standing still stays found), and the whole frame every `sweep_interval` seconds; the tracker
/// joins detections into people and the rules turn them into events.
///
/// Not thread-safe: a camera is analysed by one worker at a time, which passes in its own detector.
public final class BehaviourStage {
    public let settings: BehaviourSettings
    public private(set) var tracker: PersonTracker
    public private(set) var rules: BehaviourRules
    private var motion: MotionRegions
    private var nextDetection = -Double.infinity
    private var nextSweep = -Double.infinity
    /// Still foreground (left objects), when a rule asks for it: its own background models and tracks.
    private let leftObjects: LeftObjectDetector?
    public private(set) var objects = PersonTracker(memory: 3, minIoU: 0.3)

    public init(settings: BehaviourSettings) {
        self.settings = settings
        tracker = PersonTracker(memory: settings.memory)
        rules = BehaviourRules(settings: settings)
        var motionSettings = MotionSettings()
        motionSettings.maxFraction = 0.5
        motion = MotionRegions(settings: motionSettings)
        leftObjects = settings.rules.contains { $0.kind == .leftObject } ? try? LeftObjectDetector(updatesPerSecond: settings.detectFPS) : nil
    }

    public func analyse(_ frame: Frame, time: Double, detector: PersonDetector) throws -> BehaviourResult {
        var result = BehaviourResult()
        let grid = MotionRegions.gridSize(width: frame.width, height: frame.height)
        let moved = motion.update(grid: Self.lumaGrid(frame, width: grid.width, height: grid.height), gridWidth: grid.width,
                                  gridHeight: grid.height, frameWidth: frame.width, frameHeight: frame.height,
                                  margin: settings.people.minHeight / 2)
        let interval = 1 / max(0.01, settings.detectFPS)
        guard time >= nextDetection - 0.02 || time < nextDetection - 2 * interval else {
            result.people = tracker.tracks
            return result
        }
        nextDetection = time + interval
        let whole = BoundingBox(x: 0, y: 0, width: frame.width, height: frame.height)
        var regions: [BoundingBox]
        if time >= nextSweep || time < nextSweep - 2 * settings.sweepInterval {
            nextSweep = time + settings.sweepInterval
            regions = [whole]
        } else {
            // Around each person followed: half a body on every side, so the next step is inside.
            let around = tracker.tracks.map { t in
                BoundingBox(x: t.box.x - t.box.width, y: t.box.y - t.box.height / 2, width: 3 * t.box.width,
                            height: 2 * t.box.height).clamped(width: frame.width, height: frame.height)
            }
            regions = MotionRegions.merged(moved.regions + around).filter { $0.width > 0 && $0.height > 0 }
        }
        var found: [PersonDetection] = []
        for region in regions {
            found += try detector.detect(in: frame, region: region == whole ? nil : region)
            result.searchedPixels += region.area
        }
        result.detected = true
        let people = Self.distinct(found)
        let updated = tracker.update(people.map(\.box), scores: people.map(\.score), time: time)
        result.events = rules.evaluate(updated: updated, live: tracker.tracks, time: time)
        result.people = tracker.tracks
        if let leftObjects {
            let minArea = settings.rules.filter { $0.kind == .leftObject }.map(\.minArea).min() ?? 400
            // A person standing still is still foreground too: what overlaps someone followed is not an object.
            let still = try leftObjects.update(frame, minArea: minArea).filter { blob in
                !tracker.tracks.contains { Self.samePerson($0.box, blob) || $0.box.iou(blob) > 0.1 }
            }
            objects.update(still, time: time)
            result.events += rules.evaluate(objects: objects.tracks, time: time)
        }
        return result
    }

    /// One person can be found twice: by two overlapping regions, at two pyramid levels (a tight box
    /// inside a loose one), or as a whole body and, lower down, legs and coat on their own (HOG's
    /// window fits both). Keeps the higher-scoring box of any pair that mostly overlaps, where one
    /// lies mostly inside the other, or where they share a column and overlap over 40% of a height.
    static func distinct(_ detections: [PersonDetection]) -> [PersonDetection] {
        var kept: [PersonDetection] = []
        for d in detections.sorted(by: { $0.score > $1.score }) where !kept.contains(where: { Self.samePerson($0.box, d.box) }) {
            kept.append(d)
        }
        return kept
    }

    static func samePerson(_ a: BoundingBox, _ b: BoundingBox) -> Bool {
        let shared = a.intersection(b)
        guard shared.area > 0 else { return false }
        let sameColumn = Double(shared.width) >= 0.7 * Double(min(a.width, b.width)) && Double(shared.height) >= 0.4 * Double(min(a.height, b.height))
        return a.iou(b) > 0.5 || Double(shared.area) > 0.7 * Double(min(a.area, b.area)) || sameColumn
    }

    /// Mean luma per cell of a `width` x `height` grid, from every 4th pixel of every 4th row (enough
    /// for change detection, and about 1 ms for a 720p frame).
    static func lumaGrid(_ frame: Frame, width: Int, height: Int) -> [UInt8] {
        var sums = [Int](repeating: 0, count: width * height), counts = [Int](repeating: 0, count: width * height)
        frame.pixels.withUnsafeBufferPointer { pixels in
            for y in stride(from: 0, to: frame.height, by: 4) {
                let row = y * frame.stride, cy = min(height - 1, y * height / frame.height)
                for x in stride(from: 0, to: frame.width, by: 4) {
                    let p = row + 3 * x
                    let luma = (29 * Int(pixels[p]) + 150 * Int(pixels[p + 1]) + 77 * Int(pixels[p + 2])) >> 8
                    let cell = cy * width + min(width - 1, x * width / frame.width)
                    sums[cell] += luma
                    counts[cell] += 1
                }
            }
        }
        return zip(sums, counts).map { UInt8($1 == 0 ? 0 : $0 / $1) }
    }
}
