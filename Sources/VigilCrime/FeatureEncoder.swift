import Foundation
import VigilCore

/// Turns incidents into the numeric rows models train on, and keeps the categorical
/// encoding learned from the training rows, so scoring encodes exactly as training did.
///
/// Categories seen fewer than `minCount` times in training, and categories never seen,
/// share one "other" code; a missing value stays missing (NaN), which XGBoost routes
/// on its own and the logistic model reads as "none of the categories".
public struct FeatureEncoder: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case numeric, categorical }

    public struct Column: Sendable, Codable, Equatable {
        public var name: String
        public var kind: Kind
        /// Excluded from drift: the calendar position of new incidents always moves.
        public var seasonal: Bool
    }

    public var groups: [FeatureGroup]
    public var columns: [Column]
    /// Per categorical column, its categories, most frequent first; code = index, "other" = count.
    public var vocabularies: [String: [String]]
    /// Side of a grid cell, in degrees (0.005 deg is about 550 m north-south).
    public var gridDegrees: Double
    /// Mean and standard deviation per numeric column (for the logistic model's scaling).
    public var means: [String: Double]
    public var deviations: [String: Double]

    public static let minCount = 5

    public static func fit(groups: [FeatureGroup], incidents: [Incident], gridDegrees: Double = 0.005) -> FeatureEncoder {
        var encoder = FeatureEncoder(groups: groups, columns: Self.columns(for: groups), vocabularies: [:], gridDegrees: gridDegrees,
                                     means: [:], deviations: [:])
        for column in encoder.columns where column.kind == .categorical {
            var counts: [String: Int] = [:]
            for incident in incidents {
                if let value = encoder.category(column.name, of: incident) { counts[value, default: 0] += 1 }
            }
            encoder.vocabularies[column.name] = counts.filter { $0.value >= minCount }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        }
        let rows = incidents.map(encoder.row)
        for (at, column) in encoder.columns.enumerated() where column.kind == .numeric {
            let values = rows.map { Double($0[at]) }.filter { !$0.isNaN }
            let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
            let variance = values.isEmpty ? 1 : values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            encoder.means[column.name] = mean
            encoder.deviations[column.name] = variance > 0 ? variance.squareRoot() : 1
        }
        return encoder
    }

    static func columns(for groups: [FeatureGroup]) -> [Column] {
        func numeric(_ name: String, seasonal: Bool = false) -> Column { Column(name: name, kind: .numeric, seasonal: seasonal) }
        func categorical(_ name: String) -> Column { Column(name: name, kind: .categorical, seasonal: false) }
        var columns: [Column] = []
        for group in FeatureGroup.allCases where groups.contains(group) {
            switch group {
            case .time:
                columns += [numeric("hour"), numeric("hour_sin"), numeric("hour_cos"), numeric("weekday"), numeric("weekday_sin"),
                            numeric("weekday_cos"), numeric("month", seasonal: true), numeric("month_sin", seasonal: true),
                            numeric("month_cos", seasonal: true)]
            case .location: columns += [numeric("latitude"), numeric("longitude"), categorical("grid_cell")]
            case .victim: columns += [numeric("victim_age"), categorical("victim_sex"), categorical("victim_descent")]
            case .domestic: columns.append(numeric("domestic"))
            case .area, .category, .code, .premise, .weapon: columns.append(categorical(group.rawValue))
            }
        }
        return columns
    }

    /// The incident fields a score request must name (null allowed).
    public var requiredFields: [String] { groups.flatMap(\.fields) }

    public var width: Int { columns.count }

    func category(_ name: String, of incident: Incident) -> String? {
        switch name {
        case "grid_cell":
            return "\(Int((incident.latitude / gridDegrees).rounded(.down))):\(Int((incident.longitude / gridDegrees).rounded(.down)))"
        case "area": return incident.area
        case "category": return incident.category
        case "code": return incident.code
        case "premise": return incident.premise
        case "weapon": return incident.weapon
        case "victim_sex": return incident.victimSex
        case "victim_descent": return incident.victimDescent
        default: return nil
        }
    }

    /// One dense row: numeric values as they are, categories as codes, missing as NaN.
    public func row(_ incident: Incident) -> [Float] {
        let calendar = Calendar.utc
        let parts = calendar.dateComponents([.hour, .minute, .weekday, .month], from: incident.occurredAt)
        let hour = Double(parts.hour ?? 0) + Double(parts.minute ?? 0) / 60
        let weekday = Double(((parts.weekday ?? 2) + 5) % 7) // Monday = 0
        let month = Double((parts.month ?? 1) - 1)
        return columns.map { column -> Float in
            switch column.name {
            case "hour": return Float(hour)
            case "hour_sin": return Float(sin(2 * .pi * hour / 24))
            case "hour_cos": return Float(cos(2 * .pi * hour / 24))
            case "weekday": return Float(weekday)
            case "weekday_sin": return Float(sin(2 * .pi * weekday / 7))
            case "weekday_cos": return Float(cos(2 * .pi * weekday / 7))
            case "month": return Float(month + 1)
            case "month_sin": return Float(sin(2 * .pi * month / 12))
            case "month_cos": return Float(cos(2 * .pi * month / 12))
            case "latitude": return Float(incident.latitude)
            case "longitude": return Float(incident.longitude)
            case "victim_age": return incident.victimAge.map { Float($0) } ?? .nan
            case "domestic": return incident.domestic.map { $0 ? 1 : 0 } ?? .nan
            default:
                guard let value = category(column.name, of: incident) else { return .nan }
                let vocabulary = vocabularies[column.name] ?? []
                return Float(vocabulary.firstIndex(of: value) ?? vocabulary.count)
            }
        }
    }

    /// Rows laid end to end (row-major), as XGBoost and OpenCV take them.
    public func matrix(_ incidents: [Incident]) -> [Float] { incidents.flatMap(row) }

    /// Standardised numeric columns and one-hot categories (with an "other" column): the
    /// logistic model's input. Missing values contribute zero.
    public func expanded(_ dense: [Float]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(expandedWidth)
        for (at, column) in columns.enumerated() {
            let value = dense[at]
            switch column.kind {
            case .numeric:
                let mean = means[column.name] ?? 0, deviation = deviations[column.name] ?? 1
                out.append(value.isNaN ? 0 : Float((Double(value) - mean) / deviation))
            case .categorical:
                let size = (vocabularies[column.name]?.count ?? 0) + 1
                var onehot = [Float](repeating: 0, count: size)
                if !value.isNaN, Int(value) < size { onehot[Int(value)] = 1 }
                out += onehot
            }
        }
        return out
    }

    /// `expanded` applied to every row of a row-major dense matrix.
    public func expandedMatrix(_ dense: [Float]) -> [Float] {
        stride(from: 0, to: dense.count, by: width).flatMap { expanded(Array(dense[$0..<($0 + width)])) }
    }

    public var expandedWidth: Int {
        columns.reduce(0) { $0 + ($1.kind == .numeric ? 1 : (vocabularies[$1.name]?.count ?? 0) + 1) }
    }
}
