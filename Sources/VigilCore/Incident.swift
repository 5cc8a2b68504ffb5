import Foundation

/// One crime incident report as Vigil stores it, whatever export it came from.
///
/// Times are the source's local wall clock (police exports carry no zone), kept
/// as a `Date` read in UTC, so hour and weekday features mean what the report says.
public struct Incident: Sendable, Equatable, Codable {
    public var id: Int64?
    /// The export or feed it came from (`lapd`, `chicago`, `api`): ids are unique per source.
    public var source: String
    public var sourceID: String
    public var occurredAt: Date
    public var latitude: Double
    public var longitude: Double
    public var area: String?
    /// Crime type as text (`BATTERY - SIMPLE ASSAULT`) and as the source's code (`624`).
    public var category: String?
    public var code: String?
    public var premise: String?
    public var weapon: String?
    public var victimAge: Int?
    public var victimSex: String?
    public var victimDescent: String?
    public var domestic: Bool?
    /// Labels: `serious` (Part I / index crime) or `other`; whether an arrest was made.
    public var severity: String?
    public var arrest: Bool?
    public var importedAt: Date
    /// When an outcome was last reported for this case (through the API or CLI), if ever.
    public var outcomeAt: Date?

    public init(id: Int64? = nil, source: String, sourceID: String, occurredAt: Date, latitude: Double, longitude: Double,
                area: String? = nil, category: String? = nil, code: String? = nil, premise: String? = nil, weapon: String? = nil,
                victimAge: Int? = nil, victimSex: String? = nil, victimDescent: String? = nil, domestic: Bool? = nil,
                severity: String? = nil, arrest: Bool? = nil, importedAt: Date = Date(), outcomeAt: Date? = nil) {
        self.id = id
        self.source = source
        self.sourceID = sourceID
        self.occurredAt = occurredAt
        self.latitude = latitude
        self.longitude = longitude
        self.area = area
        self.category = category
        self.code = code
        self.premise = premise
        self.weapon = weapon
        self.victimAge = victimAge
        self.victimSex = victimSex
        self.victimDescent = victimDescent
        self.domestic = domestic
        self.severity = severity
        self.arrest = arrest
        self.importedAt = importedAt
        self.outcomeAt = outcomeAt
    }
}

/// The descriptive fields an export can map, by their mapping-file and API names.
public enum IncidentField: String, Sendable, CaseIterable, Codable {
    case latitude, longitude, area, category, code, premise, weapon
    case victimAge = "victim_age", victimSex = "victim_sex", victimDescent = "victim_descent", domestic
}

/// What a model predicts. Each label comes from one source column, and may be a
/// function of other fields (LA's `Part 1-2` is fixed by the crime code): those
/// fields can never be features of that task.
public enum CrimeLabel: String, Sendable, CaseIterable, Codable {
    case severity, arrest
}
