import Foundation
import VigilCore

/// Daily incident counts per area, forecast by gradient boosting (XGBoost, Poisson
/// objective) on lagged counts, and judged against the seasonal-naive baseline
/// ("same as a week ago") on the last `testDays` days, one day ahead at a time.
public struct Forecaster {
    public struct Settings: Sendable {
        public var testDays = 56
        public var horizon = 7
        public var rounds = 200
        public var maxDepth = 3
        public var eta = 0.05
        public init() {}
    }

    public struct Evaluation: Sendable, Codable, Equatable {
        public var area: String
        public var days: Int
        public var firstDay: Date
        public var lastDay: Date
        public var testDays: Int
        public var meanDaily: Double
        public var modelMAE: Double
        public var modelRMSE: Double
        public var naiveMAE: Double
        public var naiveRMSE: Double
        /// The next `horizon` days after the data, each predicted from the ones before.
        public var forecast: [DayCount]
        public var beatsBaseline: Bool { modelMAE < naiveMAE }
    }

    public struct DayCount: Sendable, Codable, Equatable {
        public var day: Date
        public var count: Double
    }

    /// The lags and summaries a day's count is predicted from.
    static let lags = [1, 2, 3, 4, 5, 6, 7, 14, 21, 28]
    static let history = 28
    static let featureCount = lags.count + 4

    public let settings: Settings
    public init(settings: Settings = Settings()) { self.settings = settings }

    /// Per area (incidents without an area count as "all"), areas with too little history are
    /// reported in `skipped` with the reason.
    public func evaluate(_ incidents: [Incident]) throws -> (evaluations: [Evaluation], skipped: [String: String]) {
        let byArea = Dictionary(grouping: incidents, by: { $0.area ?? "all" })
        var evaluations: [Evaluation] = [], skipped: [String: String] = [:]
        for (area, members) in byArea.sorted(by: { $0.key < $1.key }) {
            let (first, counts) = Self.dailyCounts(members)
            let needed = Self.history + settings.testDays + 28
            guard counts.count >= needed else {
                skipped[area] = "\(counts.count) days of data; forecasting needs at least \(needed) (28 of history, 28 to train on, \(settings.testDays) to test)"
                continue
            }
            evaluations.append(try evaluate(area: area, first: first, counts: counts))
        }
        if evaluations.isEmpty {
            throw CrimeError.notEnoughData(skipped.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; "))
        }
        return (evaluations, skipped)
    }

    func evaluate(area: String, first: Date, counts: [Double]) throws -> Evaluation {
        let testStart = counts.count - settings.testDays
        let trainDays = Array(Self.history..<testStart)
        let model = try Booster(features: trainDays.flatMap { Self.features(counts, day: $0, first: first) }, rows: trainDays.count,
                                columns: Self.featureCount, labels: trainDays.map { Float(counts[$0]) },
                                parameters: [("objective", "count:poisson"), ("tree_method", "hist"), ("nthread", "1"), ("seed", "42"),
                                             ("verbosity", "0"), ("max_depth", String(settings.maxDepth)), ("eta", String(settings.eta)),
                                             ("subsample", "0.8")],
                                rounds: settings.rounds)
        let testDays = Array(testStart..<counts.count)
        let predicted = try model.predict(features: testDays.flatMap { Self.features(counts, day: $0, first: first) }, rows: testDays.count,
                                          columns: Self.featureCount).map(Double.init)
        let actual = testDays.map { counts[$0] }
        let naive = testDays.map { counts[$0 - 7] }
        // The future: each day's prediction becomes the next day's lag.
        var extended = counts
        var forecast: [DayCount] = []
        for step in 0..<settings.horizon {
            let day = counts.count + step
            extended.append(0)
            let value = Double(try model.predict(features: Self.features(extended, day: day, first: first), rows: 1, columns: Self.featureCount)[0])
            extended[day] = value
            forecast.append(DayCount(day: first.addingTimeInterval(Double(day) * 86_400), count: value))
        }
        return Evaluation(area: area, days: counts.count, firstDay: first, lastDay: first.addingTimeInterval(Double(counts.count - 1) * 86_400),
                          testDays: settings.testDays, meanDaily: counts.reduce(0, +) / Double(counts.count),
                          modelMAE: Self.mae(predicted, actual), modelRMSE: Self.rmse(predicted, actual),
                          naiveMAE: Self.mae(naive, actual), naiveRMSE: Self.rmse(naive, actual), forecast: forecast)
    }

    /// Counts per calendar day from the first to the last incident (days without any count as 0).
    static func dailyCounts(_ incidents: [Incident]) -> (first: Date, counts: [Double]) {
        let days = incidents.map { Calendar.utc.startOfDay(for: $0.occurredAt) }
        guard let first = days.min(), let last = days.max() else { return (Date(), []) }
        var counts = [Double](repeating: 0, count: Int((last.timeIntervalSince(first) / 86_400).rounded()) + 1)
        for day in days { counts[Int((day.timeIntervalSince(first) / 86_400).rounded())] += 1 }
        return (first, counts)
    }

    static func features(_ counts: [Double], day: Int, first: Date) -> [Float] {
        let date = first.addingTimeInterval(Double(day) * 86_400)
        let weekday = Double((Calendar.utc.component(.weekday, from: date) + 5) % 7)
        let week = counts[(day - 7)..<day], month = counts[(day - 28)..<day]
        return lags.map { Float(counts[day - $0]) } + [
            Float(week.reduce(0, +) / 7), Float(month.reduce(0, +) / 28), Float(weekday),
            Float(Calendar.utc.component(.month, from: date)),
        ]
    }

    static func mae(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.reduce(0, +) / Double(max(1, a.count)) }
    static func rmse(_ a: [Double], _ b: [Double]) -> Double {
        (zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(max(1, a.count))).squareRoot()
    }
}
