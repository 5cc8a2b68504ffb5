import Foundation
import VigilCore

/// One incident as JSON (API, `vigil crime score`): snake_case field names, missing and
/// null told apart, every problem naming its field.
///
/// `occurred_at` is the local wall clock, `YYYY-MM-DDTHH:MM[:SS]`; a zone suffix is ignored.
public enum IncidentJSON {
    static let known: Set<String> = Set(["id", "source", "occurred_at", "severity", "arrest"] + IncidentField.allCases.map(\.rawValue))

    /// `required` names fields that must be present (null allowed) — a model's inputs.
    public static func parse(_ data: Data, requireID: Bool, required: [String] = [], now: Date = Date()) throws -> Incident {
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw CrimeError.field("body", "expected a JSON object describing one incident")
        }
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw CrimeError.field(unknown, "unknown field (known: \(known.sorted().joined(separator: ", ")))")
        }
        for name in required where object[name] == nil {
            throw CrimeError.field(name, "missing: the model needs this field (send null if it is not known)")
        }
        func present(_ name: String) -> JSONValue? {
            guard let value = object[name], value != .null else { return nil }
            return value
        }
        func text(_ name: String, max: Int = 200) throws -> String? {
            guard let value = present(name) else { return nil }
            guard case let .string(string) = value, !string.isEmpty, string.count <= max else {
                throw CrimeError.field(name, "expected text of 1-\(max) characters")
            }
            return string
        }
        func number(_ name: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let value = present(name) else { return nil }
            guard case let .number(number) = value, range.contains(number) else {
                throw CrimeError.field(name, "expected a number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }
        func flag(_ name: String) throws -> Bool? {
            guard let value = present(name) else { return nil }
            guard case let .bool(flag) = value else { throw CrimeError.field(name, "expected true or false") }
            return flag
        }
        let sourceID: String
        if let id = try text("id", max: 64) {
            sourceID = id
        } else if requireID {
            throw CrimeError.field("id", "missing: the report's id is required")
        } else {
            sourceID = "unsaved"
        }
        let source = try text("source", max: 40) ?? "api"
        guard source.range(of: "^[a-z0-9_-]{1,40}$", options: .regularExpression) != nil else {
            throw CrimeError.field("source", "'\(source)' must be 1-40 of a-z, 0-9, _ and -")
        }
        guard let when = try text("occurred_at", max: 40) else { throw CrimeError.field("occurred_at", "missing: the local date and time, e.g. 2020-10-15T20:00") }
        guard let occurred = DateReader.iso(when) else {
            throw CrimeError.field("occurred_at", "'\(when)' is not a date and time like 2020-10-15T20:00")
        }
        guard let latitude = try number("latitude", -90...90) else { throw CrimeError.field("latitude", "missing") }
        guard let longitude = try number("longitude", -180...180) else { throw CrimeError.field("longitude", "missing") }
        guard Coordinates.plausible(latitude: latitude, longitude: longitude) else {
            throw CrimeError.field("latitude", "(0, 0) means an unknown location; send the incident's coordinates")
        }
        let severity = try text("severity")
        if let severity, !["serious", "other"].contains(severity) {
            throw CrimeError.field("severity", "expected serious or other")
        }
        let age = try number("victim_age", 0...120)
        if let age, age != age.rounded() { throw CrimeError.field("victim_age", "expected a whole number") }
        return Incident(source: source, sourceID: sourceID, occurredAt: occurred, latitude: latitude, longitude: longitude,
                        area: try text("area"), category: try text("category"), code: try text("code"), premise: try text("premise"),
                        weapon: try text("weapon"), victimAge: age.map { Int($0) }.flatMap { $0 == 0 ? nil : $0 },
                        victimSex: try text("victim_sex"), victimDescent: try text("victim_descent"), domestic: try flag("domestic"),
                        severity: severity, arrest: try flag("arrest"), importedAt: now)
    }
}

extension IncidentJSON {
    /// An outcome report: `{"arrest": true}` and/or `{"severity": "serious"}`.
    public static func outcome(_ data: Data) throws -> (arrest: Bool?, severity: String?) {
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw CrimeError.field("body", "expected a JSON object such as {\"arrest\": true}")
        }
        if let unknown = object.keys.sorted().first(where: { !["arrest", "severity"].contains($0) }) {
            throw CrimeError.field(unknown, "unknown field (known: arrest, severity)")
        }
        var arrest: Bool?, severity: String?
        switch object["arrest"] {
        case nil, .null?: break
        case let .bool(value)?: arrest = value
        default: throw CrimeError.field("arrest", "expected true or false")
        }
        switch object["severity"] {
        case nil, .null?: break
        case let .string(value)? where ["serious", "other"].contains(value): severity = value
        default: throw CrimeError.field("severity", "expected serious or other")
        }
        guard arrest != nil || severity != nil else { throw CrimeError.field("body", "give arrest and/or severity") }
        return (arrest, severity)
    }
}

/// A JSON value as far as an incident needs: booleans are never numbers, null is not absence.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), other

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .other
        }
    }
}
