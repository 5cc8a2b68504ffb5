import Foundation
import VigilCore

/// Population stability index per feature: how far recent incidents' inputs have moved
/// from the training data. PSI = sum over bins of (recent - expected) * ln(recent / expected);
/// by convention < 0.1 is stable, 0.1-0.2 a shift worth watching, > 0.2 a real change.
///
/// Numbers are binned at the training deciles, categories by code; a missing value is a bin
/// of its own. Month is left out: new incidents always sit later in the calendar.
public struct DriftBaseline: Sendable, Codable, Equatable {
    public struct Feature: Sendable, Codable, Equatable {
        public var name: String
        /// Upper bin edges for numbers (empty for categories).
        public var edges: [Float]
        public var expected: [Double]
    }

    public var features: [Feature]
    public var rows: Int

    static let floor = 1e-4

    public init(encoder: FeatureEncoder, incidents: [Incident]) {
        let rows = incidents.map(encoder.row)
        self.rows = rows.count
        features = encoder.columns.enumerated().filter { !$0.element.seasonal && !$0.element.name.hasSuffix("_sin") && !$0.element.name.hasSuffix("_cos") }
            .map { at, column in
                let values = rows.map { $0[at] }
                let edges: [Float]
                if column.kind == .numeric {
                    let sorted = values.filter { !$0.isNaN }.sorted()
                    edges = sorted.isEmpty ? [] : Array(Set((1..<10).map { sorted[min(sorted.count - 1, sorted.count * $0 / 10)] })).sorted()
                } else {
                    edges = []
                }
                let bins = Self.bin(values, kind: column.kind, edges: edges, size: Self.size(column, encoder: encoder, edges: edges))
                return Feature(name: column.name, edges: edges, expected: bins)
            }
    }

    static func size(_ column: FeatureEncoder.Column, encoder: FeatureEncoder, edges: [Float]) -> Int {
        // Numbers: one bin per edge plus one above; categories: one per code plus "other"; both plus "missing".
        column.kind == .numeric ? edges.count + 2 : (encoder.vocabularies[column.name]?.count ?? 0) + 2
    }

    static func bin(_ values: [Float], kind: FeatureEncoder.Kind, edges: [Float], size: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: size)
        for value in values {
            let index: Int
            if value.isNaN {
                index = size - 1
            } else if kind == .numeric {
                index = edges.firstIndex { value <= $0 } ?? edges.count
            } else {
                index = min(Int(value), size - 2)
            }
            counts[index] += 1
        }
        let total = max(1, Double(values.count))
        return counts.map { $0 / total }
    }

    /// PSI per feature for `incidents` encoded with `encoder` (the model's own).
    public func psi(encoder: FeatureEncoder, incidents: [Incident]) -> [String: Double] {
        let rows = incidents.map(encoder.row)
        var result: [String: Double] = [:]
        for feature in features {
            guard let at = encoder.columns.firstIndex(where: { $0.name == feature.name }) else { continue }
            let column = encoder.columns[at]
            let actual = Self.bin(rows.map { $0[at] }, kind: column.kind, edges: feature.edges, size: feature.expected.count)
            result[feature.name] = zip(actual, feature.expected).map { a, e in
                let a = max(a, Self.floor), e = max(e, Self.floor)
                return (a - e) * log(a / e)
            }.reduce(0, +)
        }
        return result
    }
}
