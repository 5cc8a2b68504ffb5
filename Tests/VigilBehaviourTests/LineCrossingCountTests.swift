import Foundation
import Testing
import VigilBehaviour
import VigilCore
import VigilMedia
import VigilTestSupport
import VigilVision

/// Line crossings on the pedestrian clip against a hand count (`Labels/crossings_pedestrians.csv`,
/// see its README): what an operator's in/out counter would have shown for those 4.2 seconds.
@Suite struct LineCrossingCountTests {
    struct Crossing { var line: String; var direction: CrossingDirection; var seconds: Double }

    static func handCount() throws -> [Crossing] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Labels/crossings_pedestrians.csv")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",").map(String.init)
            return Crossing(line: f[0], direction: CrossingDirection(rawValue: f[1])!, seconds: Double(f[2])!)
        }
    }

    /// The lines the hand count was made for, in the clip's 1920x1080 pixels (drawn top to bottom,
    /// so `in` is a move from the frame's left to its right).
    static let lines = [Tripwire(name: "centre", from: Point(x: 960, y: 0), to: Point(x: 960, y: 1080)),
                        Tripwire(name: "right", from: Point(x: 1380, y: 0), to: Point(x: 1380, y: 1080))]

    @Test(.enabled(if: Fixtures.sharedDataUsable))
    func crossingsOnThePedestrianClipAgainstAHandCount() throws {
        let truth = try Self.handCount()
        var report: [String] = []
        var spurious = 0
        for (name, detectFPS, minHeight) in [("defaults", 2.0, PersonSettings().minHeight), ("every analysed frame", 5.0, 256)] {
            var settings = BehaviourSettings()
            settings.detectFPS = detectFPS
            settings.people.minHeight = minHeight
            settings.lines = Self.lines
            let stage = BehaviourStage(settings: settings)
            let detector = try PersonDetector(settings: settings.people)
            let decoder = try MediaDecoder(source: try Fixtures.shared("video/pedestrians_faces_1080p.mp4"))
            // Analysed at 5 fps, a camera's default. Tracks whose feet came within 100 px of the centre
            // line are the ones whose jitter could count as crossings.
            var near = Set<Int>(), tracks = Set<Int>()
            while let decoded = try decoder.nextFrame(convertIf: { ($0 * 5).rounded() == $0 * 5 }) {
                guard let frame = decoded.picture else { continue }
                let result = try stage.analyse(frame, time: decoded.time, detector: detector)
                for person in result.people {
                    tracks.insert(person.id)
                    if person.path.contains(where: { abs($0.x - 960) < 100 }) { near.insert(person.id) }
                }
            }
            var parts: [String] = []
            for line in Self.lines {
                for direction in [CrossingDirection.in, .out] {
                    let counted = stage.rules.crossings[line.name]?[direction] ?? 0
                    let hand = truth.filter { $0.line == line.name && $0.direction == direction }.count
                    parts.append("\(line.name) \(direction.rawValue) \(counted) (hand \(hand))")
                    spurious += max(0, counted - hand)
                }
            }
            report.append("\(name) (detect_fps \(detectFPS), min_height \(minHeight)): \(tracks.count) people followed, \(near.count) of them "
                          + "within 100 px of the centre line; " + parts.joined(separator: ", "))
        }
        print("line crossings, pedestrian clip: " + report.joined(separator: "; "))
        // Measured when this was written: none of the two crossings is counted (HOG does not find the
        // woman, who is cut off by the frame's bottom edge), and nothing is counted that did not
        // happen, though a tracked person walks along the centre line. Counting a crossing that did
        // not happen is what an operator cannot work with, so that is what this holds to.
        #expect(truth.count == 2)
        #expect(spurious == 0, "crossings counted that the hand count does not have: \(report)")
    }
}
