import Foundation
import VigilCore
import Yams

/// How one crime export's columns become `Incident` fields: a YAML file per schema
/// (see `Sources/VigilCrime/Resources/mappings`). Every column keeps the line it was
/// named on, so "no such column" errors point into the mapping file.
public struct IncidentMapping: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        /// The CSV header text. When a header repeats (LA has `DATE OCC` twice), the first wins.
        public var name: String
        /// The mapping key that named it (`occurred.column`), and where.
        public var key: String
        public var line: Int?
    }

    /// A label read from one column: rows whose value is in `positive` get the positive
    /// class (`serious`, arrest = true), any other non-empty value the negative one.
    public struct LabelRule: Sendable, Equatable {
        public var column: Column
        public var positive: [String]
        /// Fields the label is a function of: never allowed as features of this task.
        public var derivedFrom: [IncidentField]
    }

    public var file: String
    public var source: String
    public var id: Column
    public var date: Column
    /// `iso8601` or a Unicode date pattern (`M/d/yyyy H:mm`).
    public var dateFormat: String
    /// A separate `hhmm` time-of-day column (LA's `TIME OCC`), added to the date.
    public var time: Column?
    public var fields: [IncidentField: Column]
    /// Per field, source values that mean "not recorded" (LA: victim age 0, sex X).
    public var missing: [IncidentField: [String]]
    public var labels: [CrimeLabel: LabelRule]

    /// Every column the mapping reads, for checking against a file's header.
    public var columns: [Column] {
        [id, date] + [time].compactMap { $0 } + IncidentField.allCases.compactMap { fields[$0] }
            + CrimeLabel.allCases.compactMap { labels[$0]?.column }
    }

    public static func load(path: String) throws -> IncidentMapping {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(file: path, message: "cannot read the mapping file")
        }
        return try parse(text: text, file: path)
    }

    public static func parse(text: String, file: String) throws -> IncidentMapping {
        var root = try YAMLMapping.load(text: text, file: file)
        let source = try root.requiredString("source")
        guard source.range(of: "^[a-z0-9_-]{1,40}$", options: .regularExpression) != nil else {
            throw root.error("source", "'\(source)' must be 1-40 of a-z, 0-9, _ and -")
        }
        func column(_ mapping: inout YAMLMapping, _ name: String) throws -> Column? {
            guard let text = try mapping.string(name) else { return nil }
            return Column(name: text, key: mapping.key(name), line: mapping.value(name)?.line)
        }
        guard let id = try column(&root, "id") else { throw root.error("id", "is required (the column with each report's number)") }
        guard var occurred = try root.mapping("occurred") else {
            throw root.error("occurred", "is required: {column: ..., format: iso8601 | a date pattern, time: hhmm column}")
        }
        guard let date = try column(&occurred, "column") else { throw occurred.error("column", "is required") }
        let format = try occurred.string("format") ?? "iso8601"
        let time = try column(&occurred, "time")
        try occurred.finish(known: ["column", "format", "time"])

        var fields: [IncidentField: Column] = [:]
        var missing: [IncidentField: [String]] = [:]
        if var mapped = try root.mapping("fields") {
            for name in mapped.keys {
                guard let field = IncidentField(rawValue: name) else {
                    throw mapped.error(name, "unknown field (known: \(IncidentField.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                fields[field] = try column(&mapped, name)
            }
            try mapped.finish()
        }
        guard fields[.latitude] != nil, fields[.longitude] != nil else {
            throw root.error("fields", "latitude and longitude are required")
        }
        if var values = try root.mapping("missing") {
            for name in values.keys {
                guard let field = IncidentField(rawValue: name), fields[field] != nil else {
                    throw values.error(name, "not a mapped field")
                }
                missing[field] = try values.strings(name)
            }
            try values.finish()
        }
        var labels: [CrimeLabel: LabelRule] = [:]
        if var section = try root.mapping("labels") {
            for name in section.keys {
                guard let label = CrimeLabel(rawValue: name) else {
                    throw section.error(name, "unknown label (known: \(CrimeLabel.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                guard var rule = try section.mapping(name) else { continue }
                guard let column = try column(&rule, "column") else { throw rule.error("column", "is required") }
                guard let positive = try rule.strings("positive"), !positive.isEmpty else {
                    throw rule.error("positive", "is required: the values that mean \(label == .severity ? "serious" : "arrest")")
                }
                let derived = try (rule.strings("derived_from") ?? []).map { text -> IncidentField in
                    guard let field = IncidentField(rawValue: text) else { throw rule.error("derived_from", "unknown field '\(text)'") }
                    return field
                }
                try rule.finish(known: ["column", "positive", "derived_from"])
                labels[label] = LabelRule(column: column, positive: positive, derivedFrom: derived)
            }
            try section.finish()
        }
        try root.finish(known: ["source", "id", "occurred", "fields", "missing", "labels"])
        return IncidentMapping(file: file, source: source, id: id, date: date, dateFormat: format, time: time, fields: fields,
                               missing: missing, labels: labels)
    }
}
