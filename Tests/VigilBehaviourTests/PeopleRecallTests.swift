import Foundation
import Testing
import VigilBehaviour
import VigilCore
import VigilMedia
import VigilTestSupport
import VigilVision

/// Person detection against hand-drawn boxes (`Labels/people_*.csv`, see the README there).
@Suite struct PeopleRecallTests {
    struct Label { var seconds: Double; var box: BoundingBox }

    /// `file`'s boxes, multiplied by `scale` (the pedestrian boxes were drawn at half the clip's size).
    static func labels(_ file: String = "people_pedestrians.csv", scale: Int = 2) throws -> [Label] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Labels/\(file)")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",", maxSplits: 5).map(String.init)
            return Label(seconds: Double(f[0])!, box: BoundingBox(x: scale * Int(f[1])!, y: scale * Int(f[2])!,
                                                                  width: scale * Int(f[3])!, height: scale * Int(f[4])!))
        }
    }

    @Test(.enabled(if: Fixtures.sharedDataUsable))
    func peopleInThePedestrianClipAgainstHandLabels() throws {
        let labels = try Self.labels()
        // The defaults, and the best of a small sweep (min_height 128-350, hit_threshold 0 or -0.3) on these frames.
        _ = try measure("pedestrians", "video/pedestrians_faces_1080p.mp4", labels, PersonSettings().minHeight, 0)
        let (recall, precision) = try measure("pedestrians", "video/pedestrians_faces_1080p.mp4", labels, 256, -0.3)
        // Regression floors at the figures measured when this test was written (0.31 and 0.53): HOG
        // finds people cut off by the frame's edge, close to the camera, poorly. Not a target.
        #expect(recall >= 0.27 && precision >= 0.45, "recall \(recall), precision \(precision)")
    }

    /// An overhead crowd: people 45-110 px tall, seen from above. HOG's pedestrian model was trained
    /// on upright people seen from the side; the defaults (people from 160 px) find none of them.
    @Test(.enabled(if: Fixtures.sharedDataUsable))
    func peopleInTheOverheadCrowdAgainstHandLabels() throws {
        let labels = try Self.labels("people_mot20.csv", scale: 1)
        let region = BoundingBox(x: 400, y: 330, width: 420, height: 210)
        let video = "video/mot20_05_crowd_overhead.mp4"
        let defaults = try measure("mot20", video, labels, PersonSettings().minHeight, 0, region: region)
        // The smallest people the detector can be set to find (its 64x128 window at twice the size).
        let smallest = try measure("mot20", video, labels, 64, 0, region: region)
        #expect(defaults.recall == 0, "people this small are below the default min_height")
        // Measured when this test was written: 1 of 20 with min_height 64, 1 of 2 detections right. A floor, not a target.
        #expect(smallest.recall >= 0.05, "recall \(smallest.recall)")
    }

    /// Recall and precision of `video`'s people at the labelled moments; with `region`, only the
    /// detections whose centre lies inside it are scored (the labels cover only that region).
    func measure(_ name: String, _ video: String, _ labels: [Label], _ h: Int, _ thr: Double,
                 region: BoundingBox? = nil) throws -> (recall: Double, precision: Double) {
        var settings = PersonSettings()
        settings.minHeight = h
        settings.hitThreshold = thr
        let detector = try PersonDetector(settings: settings)
        let decoder = try MediaDecoder(source: try Fixtures.shared(video))
        let wanted = Set(labels.map(\.seconds))
        var done = Set<Double>()
        var truePositives = 0, detections = 0
        var lines: [String] = []
        while done.count < wanted.count, let decoded = try decoder.nextFrame(convertIf: { t in wanted.contains { abs($0 - t) < 0.02 } }) {
            guard let frame = decoded.picture, let second = wanted.first(where: { abs($0 - decoded.time) < 0.02 }), !done.contains(second) else { continue }
            done.insert(second)
            let found = try detector.detect(in: frame).map(\.box).filter { region?.contains(x: $0.centerX, y: $0.centerY) ?? true }
            let truth = labels.filter { $0.seconds == second }.map(\.box)
            // Greedy one-to-one matching, best overlaps first.
            var pairs: [(Int, Int, Double)] = []
            for (d, box) in found.enumerated() { for (t, label) in truth.enumerated() { let o = box.iou(label); if o >= 0.3 { pairs.append((d, t, o)) } } }
            var usedD = Set<Int>(), usedT = Set<Int>()
            for (d, t, _) in pairs.sorted(by: { $0.2 > $1.2 }) where !usedD.contains(d) && !usedT.contains(t) { usedD.insert(d); usedT.insert(t) }
            truePositives += usedT.count
            detections += found.count
            lines.append("t=\(second): \(usedT.count)/\(truth.count) labelled people found, \(found.count - usedD.count) of \(found.count) detections match no one")
        }
        let recall = Double(truePositives) / Double(labels.count), precision = Double(truePositives) / Double(max(1, detections))
        print("people in \(name) (HOG, min_height \(h) thr \(thr)): recall \(truePositives)/\(labels.count) = \(String(format: "%.2f", recall)), "
              + "precision \(truePositives)/\(detections) = \(String(format: "%.2f", precision)); " + lines.joined(separator: "; "))
        #expect(done.count == wanted.count)
        return (recall, precision)
    }
}
