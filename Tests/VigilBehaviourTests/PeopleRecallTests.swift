import Foundation
import Testing
import VigilBehaviour
import VigilCore
import VigilMedia
import VigilTestSupport
import VigilVision

/// Person detection against hand-drawn boxes (`Labels/people_pedestrians.csv`, see its README).
@Suite struct PeopleRecallTests {
    struct Label { var seconds: Double; var box: BoundingBox }

    static func labels() throws -> [Label] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Labels/people_pedestrians.csv")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",", maxSplits: 5).map(String.init)
            // Labelled at 960x540; the clip is 1920x1080.
            return Label(seconds: Double(f[0])!, box: BoundingBox(x: 2 * Int(f[1])!, y: 2 * Int(f[2])!, width: 2 * Int(f[3])!, height: 2 * Int(f[4])!))
        }
    }

    @Test(.enabled(if: Fixtures.sharedDataUsable))
    func peopleInThePedestrianClipAgainstHandLabels() throws {
        // The defaults, and the best of a small sweep (min_height 128-350, hit_threshold 0 or -0.3) on these frames.
        _ = try measure(PersonSettings().minHeight, 0)
        let (recall, precision) = try measure(256, -0.3)
        // Regression floors at the figures measured when this test was written (0.31 and 0.53): HOG
        // finds people cut off by the frame's edge, close to the camera, poorly. Not a target.
        #expect(recall >= 0.27 && precision >= 0.45, "recall \(recall), precision \(precision)")
    }

    func measure(_ h: Int, _ thr: Double) throws -> (recall: Double, precision: Double) {
        let labels = try Self.labels()
        var settings = PersonSettings()
        settings.minHeight = h
        settings.hitThreshold = thr
        let detector = try PersonDetector(settings: settings)
        let decoder = try MediaDecoder(source: try Fixtures.shared("video/pedestrians_faces_1080p.mp4"))
        let wanted = Set(labels.map(\.seconds))
        var done = Set<Double>()
        var truePositives = 0, detections = 0
        var lines: [String] = []
        while done.count < wanted.count, let decoded = try decoder.nextFrame(convertIf: { t in wanted.contains { abs($0 - t) < 0.02 } }) {
            guard let frame = decoded.picture, let second = wanted.first(where: { abs($0 - decoded.time) < 0.02 }), !done.contains(second) else { continue }
            done.insert(second)
            let found = try detector.detect(in: frame).map(\.box)
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
        print("people (HOG, min_height \(h) thr \(thr), 1080p): recall \(truePositives)/\(labels.count) = \(String(format: "%.2f", recall)), "
              + "precision \(truePositives)/\(detections) = \(String(format: "%.2f", precision)); " + lines.joined(separator: "; "))
        #expect(done.count == 3)
        return (recall, precision)
    }
}
