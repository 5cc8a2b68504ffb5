/// What a rule watches for in a zone.
public enum BehaviourRuleKind: String, Sendable, Equatable, CaseIterable {
    /// A person enters the zone (a restricted area).
    case intrusion
    /// A person stays in the zone longer than `seconds`.
    case loitering
    /// At least `count` people are in the zone at once.
    case crowd
    /// Something of at least `minArea` px² was left in the zone and stayed still for `seconds`.
    case leftObject = "left_object"
}

/// One rule over a named zone.
public struct BehaviourRule: Sendable, Equatable {
    public var kind: BehaviourRuleKind
    public var zone: String
    /// Loitering: dwell in seconds before the alert. Left object: seconds it must stay still.
    public var seconds: Double
    /// Crowd: how many people at once.
    public var count: Int
    /// Left object: the smallest object, in source px².
    public var minArea: Int

    public init(kind: BehaviourRuleKind, zone: String, seconds: Double = 0, count: Int = 0, minArea: Int = 0) {
        self.kind = kind
        self.zone = zone
        self.seconds = seconds
        self.count = count
        self.minArea = minArea
    }
}

/// A camera's person detection and behaviour rules (`behaviour:` in a camera file).
public struct BehaviourSettings: Sendable, Equatable {
    public var people = PersonSettings()
    /// Person searches per second; each covers the motion regions and the live people.
    public var detectFPS: Double = 2
    /// Seconds between whole-frame searches, so a person who arrived without motion is found.
    public var sweepInterval: Double = 4
    /// Seconds a person unseen is still followed (occlusion, a missed detection).
    public var memory: Double = 1.5
    public var zones: [Zone] = []
    public var rules: [BehaviourRule] = []
    public var lines: [Tripwire] = []

    public init() {}
}
