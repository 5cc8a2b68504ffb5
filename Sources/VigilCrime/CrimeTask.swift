import VigilCore

/// Groups of features an analyst switches on or off, each read from named incident fields.
public enum FeatureGroup: String, Sendable, Codable, CaseIterable {
    /// Hour, weekday and month, raw and as sine/cosine pairs (23:00 is next to 00:00).
    case time
    /// Latitude, longitude and a ~500 m grid cell.
    case location
    case area, category, code, premise, weapon
    /// Victim age, sex and descent.
    case victim
    case domestic

    /// The incident fields a score request must carry for this group (the key may be null).
    public var fields: [String] {
        switch self {
        case .time: return ["occurred_at"]
        case .location: return ["latitude", "longitude"]
        case .victim: return [IncidentField.victimAge, .victimSex, .victimDescent].map(\.rawValue)
        default: return [rawValue]
        }
    }
}

/// A prediction task: which label, and which fields that label is a function of.
///
/// `severity` is the UCR Part I / FBI index class (LA `Part 1-2`, Chicago `fbi_code`): every
/// source assigns it from the offence code, so crime type and code can never be its features.
/// `arrest` is an outcome (LA `Status Desc`, Chicago `arrest`): the offence type is a fair input.
public struct CrimeTask: Sendable, Equatable {
    public var label: CrimeLabel
    public var positive: String
    public var negative: String
    public var derivedFrom: [FeatureGroup]
    public var defaultFeatures: [FeatureGroup]

    public static let severity = CrimeTask(label: .severity, positive: "serious", negative: "other", derivedFrom: [.category, .code],
                                           defaultFeatures: [.time, .location, .area, .premise, .weapon, .victim, .domestic])
    public static let arrest = CrimeTask(label: .arrest, positive: "arrest", negative: "no-arrest", derivedFrom: [],
                                         defaultFeatures: FeatureGroup.allCases)

    public static func named(_ name: String) throws -> CrimeTask {
        switch name {
        case "severity": return .severity
        case "arrest": return .arrest
        default: throw CrimeError.setting("task", "unknown task '\(name)' (expected severity or arrest)")
        }
    }

    public var name: String { label.rawValue }
    public var classes: [String] { [negative, positive] }

    /// 1 for the positive class, 0 for the negative, nil when the incident has no label.
    public func target(_ incident: Incident) -> Int? {
        switch label {
        case .severity: return incident.severity.map { $0 == "serious" ? 1 : 0 }
        case .arrest: return incident.arrest.map { $0 ? 1 : 0 }
        }
    }

    /// Refuses features the label is computed from; `allow` only lets the leak be measured.
    /// Returns whether the feature set leaks.
    public func checkLeakage(_ features: [FeatureGroup], allow: Bool) throws -> Bool {
        let leaking = features.filter(derivedFrom.contains)
        guard !leaking.isEmpty else { return false }
        guard allow else {
            throw CrimeError.leakage(task: name, features: leaking.map(\.rawValue),
                                     source: "the offence code (\(derivedFrom.map(\.rawValue).joined(separator: ", ")))")
        }
        return true
    }
}
