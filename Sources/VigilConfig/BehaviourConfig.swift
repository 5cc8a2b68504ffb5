import VigilCore
import Yams

/// `behaviour:` in a camera file: person detection, zones, rules and lines, checked with the
/// file, line and key of anything wrong. Only camera files hold it (zones are in the camera's pixels).
enum BehaviourConfig {
    static let keys = ["detect_fps", "sweep_interval", "memory", "people", "zones", "rules", "lines"]
    static let peopleKeys = ["min_height", "hit_threshold", "pyramid_step"]

    static func read(_ section: inout YAMLMapping, analyseFPS: Double) throws -> BehaviourSettings {
        var settings = BehaviourSettings()
        settings.detectFPS = min(settings.detectFPS, analyseFPS)
        if let value = try section.double("detect_fps", in: 0.1...30) {
            guard value <= analyseFPS else {
                throw section.error("detect_fps", "\(value) is above analyse_fps \(analyseFPS): people are searched in analysed frames")
            }
            settings.detectFPS = value
        }
        if let value = try section.double("sweep_interval", in: 0.5...600) { settings.sweepInterval = value }
        if let value = try section.double("memory", in: 0.1...60) { settings.memory = value }
        if var people = try section.mapping("people") {
            if let value = try people.int("min_height", in: 32...4000) { settings.people.minHeight = value }
            if let value = try people.double("hit_threshold", in: -1...5) { settings.people.hitThreshold = value }
            if let value = try people.double("pyramid_step", in: 1.01...2) { settings.people.pyramidStep = value }
            try people.finish(known: peopleKeys)
        }
        for var zone in try section.mappings("zones") ?? [] {
            let name = try zone.requiredString("name")
            try checkName(name, in: zone, key: "name")
            guard !settings.zones.contains(where: { $0.name == name }) else { throw zone.error("name", "zone '\(name)' is defined twice") }
            let points = try polygon(&zone, "points")
            try zone.finish(known: ["name", "points"])
            settings.zones.append(Zone(name: name, points: points))
        }
        for var rule in try section.mappings("rules") ?? [] {
            let type = try rule.requiredString("type")
            guard let kind = BehaviourRuleKind(rawValue: type) else {
                throw rule.error("type", "unknown rule '\(type)' (expected intrusion, loitering, crowd or left_object)")
            }
            let zone = try rule.requiredString("zone")
            guard settings.zones.contains(where: { $0.name == zone }) else {
                let known = settings.zones.map(\.name)
                throw rule.error("zone", "no zone named '\(zone)'" + (known.isEmpty ? " (define it under zones:)" : " (zones: \(known.joined(separator: ", ")))"))
            }
            var parsed = BehaviourRule(kind: kind, zone: zone)
            switch kind {
            case .intrusion: break
            case .loitering:
                guard let seconds = try rule.double("seconds", in: 1...86_400) else { throw rule.error("seconds", "is required for loitering") }
                parsed.seconds = seconds
            case .crowd:
                guard let count = try rule.int("count", in: 2...1000) else { throw rule.error("count", "is required for crowd") }
                parsed.count = count
            case .leftObject:
                guard let seconds = try rule.double("seconds", in: 1...86_400) else { throw rule.error("seconds", "is required for left_object") }
                parsed.seconds = seconds
                parsed.minArea = try rule.int("min_area", in: 16...10_000_000) ?? 400
            }
            try rule.finish(known: ["type", "zone", "seconds", "count", "min_area"])
            settings.rules.append(parsed)
        }
        for var line in try section.mappings("lines") ?? [] {
            let name = try line.requiredString("name")
            try checkName(name, in: line, key: "name")
            guard !settings.lines.contains(where: { $0.name == name }) else { throw line.error("name", "line '\(name)' is defined twice") }
            let from = try point(&line, "from"), to = try point(&line, "to")
            guard from != to else { throw line.error("to", "the line has zero length: from and to are the same point") }
            var forbidden: CrossingDirection?
            if let value = try line.string("forbidden") {
                guard let direction = CrossingDirection(rawValue: value) else { throw line.error("forbidden", "expected in or out") }
                forbidden = direction
            }
            try line.finish(known: ["name", "from", "to", "forbidden"])
            settings.lines.append(Tripwire(name: name, from: from, to: to, forbidden: forbidden))
        }
        try section.finish(known: keys)
        return settings
    }

    /// A polygon: at least 3 [x, y] points with non-negative pixel coordinates.
    static func polygon(_ section: inout YAMLMapping, _ key: String) throws -> [Point] {
        guard let node = section.value(key) else { throw section.error(key, "is required: a list of at least 3 [x, y] points") }
        guard let items = node.sequence, items.count >= 3 else {
            throw section.error(key, "expected a polygon: a list of at least 3 [x, y] points", node: node)
        }
        return try items.map { try coordinates($0, section, key) }
    }

    static func point(_ section: inout YAMLMapping, _ key: String) throws -> Point {
        guard let node = section.value(key) else { throw section.error(key, "is required: an [x, y] point") }
        return try coordinates(node, section, key)
    }

    private static func coordinates(_ node: Node, _ section: YAMLMapping, _ key: String) throws -> Point {
        guard let pair = node.sequence, pair.count == 2,
              let x = pair[0].float ?? pair[0].int.map({ Double($0) }), let y = pair[1].float ?? pair[1].int.map({ Double($0) }),
              x >= 0, y >= 0, x.isFinite, y.isFinite else {
            throw section.error(key, "each point must be [x, y] with non-negative pixel coordinates", node: node)
        }
        return Point(x: x, y: y)
    }

    private static func checkName(_ name: String, in section: YAMLMapping, key: String) throws {
        guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"#, options: .regularExpression) != nil else {
            throw section.error(key, "use 1-64 letters, digits, '_', '-' or '.'")
        }
    }
}
