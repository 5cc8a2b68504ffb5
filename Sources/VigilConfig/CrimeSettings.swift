/// `crime:` in vigil.yaml: when the daemon retrains and how it watches for drift.
public struct CrimeSettings: Sendable, Equatable {
    /// Seconds between scheduled retrains (default daily); each is followed by a drift check.
    public var retrainInterval: Double = 86_400
    /// Tasks the scheduler retrains (each needs a production model to compare against).
    public var tasks: [String] = ["severity"]
    /// A candidate is promoted when its held-out macro-F1 is at least production's minus this.
    public var tolerance: Double = 0
    /// Population stability index above which a `crime.drift` event goes to the hooks.
    public var driftThreshold: Double = 0.2
    /// The newest incidents (since the model's training data ended) that drift is measured on,
    /// and how many are needed before it is measured at all.
    public var driftWindow = 1000
    public var driftMinimum = 100

    public init() {}

    public static let keys = ["retrain_interval", "tasks", "tolerance", "drift_threshold", "drift_window", "drift_minimum"]

    mutating func read(_ section: inout YAMLMapping) throws {
        if let value = try section.double("retrain_interval", in: 1...(30 * 86_400)) { retrainInterval = value }
        if let value = try section.strings("tasks") {
            for task in value where !["severity", "arrest"].contains(task) {
                throw section.error("tasks", "unknown task '\(task)' (expected severity or arrest)")
            }
            tasks = value
        }
        if let value = try section.double("tolerance", in: 0...0.5) { tolerance = value }
        if let value = try section.double("drift_threshold", in: 0.01...10) { driftThreshold = value }
        if let value = try section.int("drift_window", in: 10...1_000_000) { driftWindow = value }
        if let value = try section.int("drift_minimum", in: 1...1_000_000) { driftMinimum = value }
        try section.finish(known: Self.keys)
    }
}
