import Foundation
import Testing
import VigilBehaviour
import VigilCore
import VigilMedia
import VigilTestSupport
import VigilVision

/// People found by OpenCV's HOG detector in video, followed and judged by the rules: a scenario
/// made at test time, with a known script, so when each rule must fire is known to the frame.
@Suite struct BehaviourVideoTests {
    @Test(.enabled(if: Fixtures.sharedDataUsable))
    func loiteringFiresAtItsDwellIntrusionOnEntryAndTheLineCountsBothWays() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = BehaviourSettings()
        settings.people.minHeight = 128
        settings.zones = [Zone(name: "lobby", points: [Point(x: 350, y: 100), Point(x: 800, y: 100), Point(x: 800, y: 540), Point(x: 350, y: 540)])]
        settings.rules = [BehaviourRule(kind: .intrusion, zone: "lobby"), BehaviourRule(kind: .loitering, zone: "lobby", seconds: 8),
                          BehaviourRule(kind: .loitering, zone: "lobby", seconds: 12)]
        settings.lines = [Tripwire(name: "door", from: Point(x: 300, y: 0), to: Point(x: 300, y: 540), forbidden: .out)]
        let stage = BehaviourStage(settings: settings)
        let detector = try PersonDetector(settings: settings.people)
        let decoder = try MediaDecoder(source: try Fixtures.loiteringScenario(in: directory))
        var events: [BehaviourEvent] = []
        var searched = 0, frames = 0, detections = 0, seen = 0, area = 0
        // Analysed at 5 fps, as a camera's default.
        while let decoded = try decoder.nextFrame(convertIf: { ($0 * 5).rounded() == $0 * 5 }) {
            guard let frame = decoded.picture else { continue }
            let result = try stage.analyse(frame, time: decoded.time, detector: detector)
            events += result.events
            frames += 1
            area = frame.width * frame.height
            if result.detected {
                detections += 1
                searched += result.searchedPixels
                if !result.people.isEmpty { seen += 1 }
            }
        }
        print("behaviour scenario: \(frames) frames analysed, \(detections) person searches, the person found in \(seen);"
              + " \(String(format: "%.0f", 100 * Double(searched) / Double(max(1, detections * area))))% of the frame searched per search;"
              + " events \(events.map { "\($0.rule.rawValue)@\(String(format: "%.1f", $0.time))#\($0.trackID) \($0.box)" })")
        #expect(Double(seen) >= 0.8 * Double(detections), "the person is found in most searches")

        let intrusions = events.filter { $0.rule == .intrusion }
        #expect(intrusions.count == 1, "one person, one entry: \(intrusions)")
        let intrusion = try #require(intrusions.first)
        // The feet cross into the zone at 2.53 s; searches run twice a second.
        #expect(intrusion.time >= 2.5 && intrusion.time <= 3.6, "\(intrusion)")
        let loitering = events.filter { $0.rule == .loitering }
        #expect(loitering.count == 1, "the 12 s rule never fires: the person leaves after about 11.5 s. \(loitering)")
        if let fired = loitering.first {
            #expect(fired.dwell! >= 8 && fired.dwell! < 9, "fires within a second of the 8 s dwell, never before: \(fired)")
            #expect(fired.trackID == intrusion.trackID)
        }
        #expect(stage.rules.crossings["door"] == [.in: 1, .out: 1])
        let line = events.filter { $0.rule == .line }
        #expect(line.count == 1 && line.first?.direction == .out && (line.first?.time ?? 0) >= 14, "\(line)")
    }
}
