import VigilCore

/// A point in source pixels.
public struct Point: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// Where a person stands: the bottom centre of their box (what zones and lines are drawn against).
    public init(footOf box: BoundingBox) {
        self.init(x: Double(box.x) + Double(box.width) / 2, y: Double(box.y + box.height))
    }
}

/// A named zone: a simple polygon in source pixels.
public struct Zone: Sendable, Equatable {
    public var name: String
    public var points: [Point]

    public init(name: String, points: [Point]) {
        self.name = name
        self.points = points
    }

    /// Even-odd ray casting: true inside, false outside (points on an edge may go either way).
    public func contains(_ p: Point) -> Bool {
        var inside = false
        var j = points.count - 1
        for i in points.indices {
            let a = points[i], b = points[j]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }
}

/// Which way something crossed a line.
public enum CrossingDirection: String, Sendable, Codable, CaseIterable {
    /// From the right of `from -> to` to its left (image coordinates, y down: looking along the line).
    case `in`
    case out
}

/// A named tripwire from `from` to `to`.
public struct Tripwire: Sendable, Equatable {
    public var name: String
    public var from: Point
    public var to: Point
    /// A crossing this way raises an alert (nil: only counted).
    public var forbidden: CrossingDirection?

    public init(name: String, from: Point, to: Point, forbidden: CrossingDirection? = nil) {
        self.name = name
        self.from = from
        self.to = to
        self.forbidden = forbidden
    }

    /// > 0 left of the line, < 0 right of it, as seen on screen looking from `from` to `to` (image y grows downwards).
    func side(_ p: Point) -> Double {
        -((to.x - from.x) * (p.y - from.y) - (to.y - from.y) * (p.x - from.x))
    }

    /// The direction of a move from `a` to `b` across this segment, or nil if it does not cross it.
    /// Reaching the line counts as crossing it; leaving it to the side it was reached from does not.
    public func crossing(from a: Point, to b: Point) -> CrossingDirection? {
        let sa = side(a), sb = side(b)
        guard (sa < 0) != (sb < 0) else { return nil }
        // The move must meet the tripwire's segment, not only its infinite line.
        let d1 = (b.x - a.x) * (from.y - a.y) - (b.y - a.y) * (from.x - a.x)
        let d2 = (b.x - a.x) * (to.y - a.y) - (b.y - a.y) * (to.x - a.x)
        guard (d1 < 0) != (d2 < 0) || d1 == 0 || d2 == 0 else { return nil }
        return sa < 0 ? .in : .out
    }
}
