import VigilCore

/// A rule that fired: what, where, who, and the facts behind it.
public struct BehaviourEvent: Sendable, Equatable {
    public enum Rule: String, Sendable, Equatable {
        case intrusion, loitering, crowd
        /// A crossing in a line's forbidden direction.
        case line
        /// Something left behind: still foreground, not a person, for the rule's seconds.
        case leftObject = "left_object"
    }

    public var rule: Rule
    public var zone: String?
    public var line: String?
    /// The person's track (for a crowd: the last one to enter).
    public var trackID: Int
    public var box: BoundingBox
    /// The track's foot points, oldest first (for a left object: its box's bottom centre).
    public var path: [Point]
    /// Loitering: seconds in the zone when it fired. Left object: seconds it has stood still.
    public var dwell: Double?
    public var direction: CrossingDirection?
    /// Crowd: people in the zone.
    public var count: Int?
    public var time: Double
    /// The rule's own threshold: loitering or left-object seconds, crowd count (0 for intrusion and lines).
    public var threshold: Double = 0
    /// The detector's score for the person's box (0 for left objects): which sighting's evidence an alert keeps.
    public var score: Double = 0
}

/// Evaluates a camera's rules on its people, detection after detection. Each (rule, zone, track)
/// fires once while the person stays; a crowd fires when it forms and again only after it
/// has thinned out below its count. Line crossings are counted per line and direction.
public struct BehaviourRules: Sendable {
    public let settings: BehaviourSettings
    /// When each track's foot entered each zone (absent: outside).
    private var inside: [Int: [String: Double]] = [:]
    /// (rule index, track) pairs that fired while the person stays in the rule's zone.
    private struct Fired: Hashable { var rule: Int; var track: Int }
    private var fired: Set<Fired> = []
    private var crowded: Set<String> = []
    /// (rule index, object) pairs that fired; objects have ids of their own.
    private var leftFired: Set<Fired> = []
    /// Crossings so far, per line name and direction.
    public private(set) var crossings: [String: [CrossingDirection: Int]] = [:]

    public init(settings: BehaviourSettings) {
        self.settings = settings
    }

    /// `updated`: the tracks seen in this detection; `live`: every track still followed.
    public mutating func evaluate(updated: [PersonTracker.Track], live: [PersonTracker.Track], time: Double) -> [BehaviourEvent] {
        var events: [BehaviourEvent] = []
        let liveIDs = Set(live.map(\.id))
        for id in inside.keys where !liveIDs.contains(id) { inside[id] = nil }
        fired = fired.filter { liveIDs.contains($0.track) }

        for track in updated {
            let foot = track.path.last ?? Point(footOf: track.box)
            for zone in settings.zones {
                if zone.contains(foot) {
                    if inside[track.id]?[zone.name] == nil { inside[track.id, default: [:]][zone.name] = time }
                } else {
                    inside[track.id]?[zone.name] = nil
                    for (index, rule) in settings.rules.enumerated() where rule.zone == zone.name {
                        fired.remove(Fired(rule: index, track: track.id))
                    }
                }
            }
            if track.path.count >= 2 {
                let from = track.path[track.path.count - 2], to = track.path[track.path.count - 1]
                for line in settings.lines {
                    guard let direction = line.crossing(from: from, to: to) else { continue }
                    crossings[line.name, default: [:]][direction, default: 0] += 1
                    if direction == line.forbidden {
                        events.append(BehaviourEvent(rule: .line, line: line.name, trackID: track.id, box: track.box, path: track.path,
                                                     direction: direction, time: time, score: track.score))
                    }
                }
            }
        }
        let byID = Dictionary(uniqueKeysWithValues: live.map { ($0.id, $0) })
        for (index, rule) in settings.rules.enumerated() {
            switch rule.kind {
            case .intrusion, .loitering:
                for (id, zones) in inside.sorted(by: { $0.key < $1.key }) {
                    guard let since = zones[rule.zone], let track = byID[id] else { continue }
                    let dwell = time - since
                    guard rule.kind == .intrusion || dwell >= rule.seconds else { continue }
                    guard fired.insert(Fired(rule: index, track: id)).inserted else { continue }
                    events.append(BehaviourEvent(rule: rule.kind == .intrusion ? .intrusion : .loitering, zone: rule.zone, trackID: id,
                                                 box: track.box, path: track.path, dwell: rule.kind == .loitering ? dwell : nil, time: time,
                                                 threshold: rule.seconds, score: track.score))
                }
            case .crowd:
                let present = inside.filter { $0.value[rule.zone] != nil }.keys.sorted()
                if present.count >= rule.count {
                    guard crowded.insert(rule.zone).inserted, let last = present.max(by: { inside[$0]![rule.zone]! < inside[$1]![rule.zone]! }),
                          let track = byID[last] else { continue }
                    events.append(BehaviourEvent(rule: .crowd, zone: rule.zone, trackID: last, box: track.box, path: track.path,
                                                 count: present.count, time: time, threshold: Double(rule.count), score: track.score))
                } else {
                    crowded.remove(rule.zone)
                }
            case .leftObject:
                continue  // `evaluate(objects:)`
            }
        }
        return events
    }

    /// Left objects: each still-foreground object (tracked like people, ids of their own) whose
    /// centre is in a rule's zone, large enough, and still for the rule's seconds fires once.
    public mutating func evaluate(objects: [PersonTracker.Track], time: Double) -> [BehaviourEvent] {
        var events: [BehaviourEvent] = []
        let live = Set(objects.map(\.id))
        leftFired = leftFired.filter { live.contains($0.track) }
        for (index, rule) in settings.rules.enumerated() where rule.kind == .leftObject {
            guard let zone = settings.zones.first(where: { $0.name == rule.zone }) else { continue }
            for object in objects where object.box.area >= rule.minArea && time - object.firstSeen >= rule.seconds {
                guard zone.contains(Point(x: object.box.centerX, y: object.box.centerY)),
                      leftFired.insert(Fired(rule: index, track: object.id)).inserted else { continue }
                events.append(BehaviourEvent(rule: .leftObject, zone: rule.zone, trackID: object.id, box: object.box,
                                             path: object.path, dwell: time - object.firstSeen, time: time, threshold: rule.seconds))
            }
        }
        return events
    }

    /// People whose foot is in `zone` now.
    public func occupancy(_ zone: String) -> Int { inside.values.filter { $0[zone] != nil }.count }

}
