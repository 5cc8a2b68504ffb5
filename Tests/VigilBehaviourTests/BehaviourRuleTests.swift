import Testing
import VigilBehaviour
import VigilCore

/// Zones, lines, the person tracker and the rules, on hand-made tracks.
@Suite struct BehaviourRuleTests {
    let square = Zone(name: "vault", points: [Point(x: 100, y: 100), Point(x: 300, y: 100), Point(x: 300, y: 300), Point(x: 100, y: 300)])

    /// A 40x100 person whose feet stand at (x, y).
    func person(_ x: Int, _ y: Int) -> BoundingBox { BoundingBox(x: x - 20, y: y - 100, width: 40, height: 100) }

    @Test func zonesAndTripwiresAreGeometry() {
        #expect(square.contains(Point(x: 200, y: 200)) && !square.contains(Point(x: 50, y: 200)) && !square.contains(Point(x: 200, y: 301)))
        let triangle = Zone(name: "t", points: [Point(x: 0, y: 0), Point(x: 100, y: 0), Point(x: 0, y: 100)])
        #expect(triangle.contains(Point(x: 20, y: 20)) && !triangle.contains(Point(x: 80, y: 80)))
        // Left to right along y = 50: "in" is from below it on screen (larger y) to above it.
        let door = Tripwire(name: "door", from: Point(x: 0, y: 50), to: Point(x: 100, y: 50))
        #expect(door.crossing(from: Point(x: 50, y: 80), to: Point(x: 50, y: 20)) == .in)
        #expect(door.crossing(from: Point(x: 50, y: 20), to: Point(x: 50, y: 80)) == .out)
        #expect(door.crossing(from: Point(x: 50, y: 80), to: Point(x: 60, y: 60)) == nil, "not reached")
        #expect(door.crossing(from: Point(x: 150, y: 80), to: Point(x: 150, y: 20)) == nil, "past the end of the segment")
    }

    @Test func theTrackerKeepsIDsAndForgetsAfterItsMemory() {
        var tracker = PersonTracker(memory: 1.5)
        tracker.update([person(100, 400), person(500, 400)], time: 0)
        tracker.update([person(510, 400), person(110, 402)], time: 0.5)
        #expect(tracker.tracks.map(\.id) == [1, 2] && tracker.tracks[0].box == person(110, 402) && tracker.tracks[1].path.count == 2)
        // Walking past each other: each keeps the track it overlaps most.
        tracker.update([person(130, 400), person(490, 400)], time: 1.0)
        #expect(tracker.tracks.first { $0.id == 1 }?.box == person(130, 400))
        tracker.update([person(135, 400)], time: 2.0)
        tracker.update([person(140, 400)], time: 3.0)
        #expect(tracker.tracks.map(\.id) == [1], "person 2 unseen for 2 s is gone")
        tracker.update([person(495, 400)], time: 3.5)
        #expect(tracker.tracks.map(\.id) == [1, 3], "a returning person gets a new id; ids are never reused")
    }

    func run(_ settings: BehaviourSettings, _ frames: [(time: Double, boxes: [BoundingBox])]) -> [BehaviourEvent] {
        var tracker = PersonTracker(memory: settings.memory)
        var rules = BehaviourRules(settings: settings)
        return frames.flatMap { frame in
            let updated = tracker.update(frame.boxes, time: frame.time)
            return rules.evaluate(updated: updated, live: tracker.tracks, time: frame.time)
        }
    }

    @Test func intrusionFiresOnceOnEntryAndLoiteringAtItsDwell() {
        var settings = BehaviourSettings()
        settings.zones = [square]
        settings.rules = [BehaviourRule(kind: .intrusion, zone: "vault"), BehaviourRule(kind: .loitering, zone: "vault", seconds: 10)]
        // Walking towards the zone for 2 s, inside from t = 2.5, then standing still; sampled twice a second.
        let frames = stride(from: 0.0, through: 20, by: 0.5).map { t in (t, [person(t < 2.5 ? 20 + Int(30 * t) : 110, 200)]) }
        let events = run(settings, frames)
        #expect(events.map(\.rule) == [.intrusion, .loitering])
        #expect(events[0].time == 2.5 && events[0].zone == "vault" && events[0].trackID == 1)
        #expect(events[1].time == 12.5 && events[1].dwell == 10, "fires at the dwell, never before it")
        // Leaving and coming back re-arms both.
        let back = run(settings, frames.prefix(10) + [(5.0, [person(90, 200)]), (5.5, [person(110, 200)])])
        #expect(back.map(\.rule) == [.intrusion, .intrusion])
    }

    @Test func twoLoiteringRulesOnOneZoneEachFireAtTheirOwnDwell() {
        var settings = BehaviourSettings()
        settings.zones = [square]
        settings.rules = [BehaviourRule(kind: .loitering, zone: "vault", seconds: 5), BehaviourRule(kind: .loitering, zone: "vault", seconds: 12)]
        let events = run(settings, stride(from: 0.0, through: 20, by: 0.5).map { ($0, [person(200, 200)]) })
        #expect(events.map(\.time) == [5, 12] && events.map(\.threshold) == [5, 12])
    }

    @Test func aCrowdFiresWhenItFormsAndLinesCountBothWays() {
        var settings = BehaviourSettings()
        settings.zones = [square]
        settings.rules = [BehaviourRule(kind: .crowd, zone: "vault", count: 3)]
        settings.lines = [Tripwire(name: "door", from: Point(x: 0, y: 500), to: Point(x: 600, y: 500), forbidden: .out)]
        let two = [person(150, 150), person(200, 200)], three = two + [person(250, 250)]
        // The third person is missed from t = 1.5: still followed (and counted) for the tracker's memory,
        // gone at t = 3; the crowd re-arms, and forms again when someone else arrives.
        let crowd = run(settings, [(0, two), (0.5, three), (1.0, three), (1.5, two), (2.0, two), (2.5, two), (3.0, two), (3.5, three)])
        #expect(crowd.map(\.rule) == [.crowd, .crowd] && crowd.map(\.count) == [3, 3] && crowd.map(\.time) == [0.5, 3.5])

        var tracker = PersonTracker()
        var rules = BehaviourRules(settings: settings)
        var events: [BehaviourEvent] = []
        for (t, y) in [(0.0, 560), (0.5, 530), (1.0, 480), (1.5, 450), (2.0, 490), (2.5, 520)] {
            events += rules.evaluate(updated: tracker.update([person(300, y)], time: t), live: tracker.tracks, time: t)
        }
        #expect(rules.crossings["door"] == [.in: 1, .out: 1])
        #expect(events.map(\.rule) == [.line] && events[0].direction == .out && events[0].line == "door" && events[0].time == 2.5)
    }
}
