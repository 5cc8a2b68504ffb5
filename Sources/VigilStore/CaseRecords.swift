import Foundation
import GRDB
import VigilCore

/// Where an investigation stands.
public enum CaseStatus: String, Sendable, Codable, CaseIterable {
    case open, investigating, closed
}

/// A case: an investigation that ties people, vehicles, alerts and incidents together.
/// Its notes and attachments live in its journal (`CaseEntry`), which is append-only.
public struct CaseRecord: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "caseRecord"
    public var id: Int64?
    public var title: String
    public var type: String
    public var status: CaseStatus
    public var assignee: String?
    /// Where it happened, in the same words incidents use (`area`), so both can be searched together.
    public var area: String?
    public var createdAt: Date
    public var createdBy: String
    public var updatedAt: Date
    public var closedAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// What a case is created with or changed to; nil fields are left as they are.
public struct CaseFields: Sendable, Equatable {
    public var title: String?
    public var type: String?
    public var status: CaseStatus?
    public var assignee: String?
    public var area: String?

    public init(title: String? = nil, type: String? = nil, status: CaseStatus? = nil, assignee: String? = nil, area: String? = nil) {
        self.title = title
        self.type = type
        self.status = status
        self.assignee = assignee
        self.area = area
    }
}

/// What to link to a case in one change.
public struct CaseLinks: Sendable, Equatable {
    public struct Person: Sendable, Equatable {
        public var subjectID: String
        public var name: String?
        public init(subjectID: String, name: String? = nil) {
            self.subjectID = subjectID
            self.name = name
        }
    }
    public var alerts: [Int64]
    public var incidents: [Int64]
    public var people: [Person]
    public var vehicles: [String]

    public init(alerts: [Int64] = [], incidents: [Int64] = [], people: [Person] = [], vehicles: [String] = []) {
        self.alerts = alerts
        self.incidents = incidents
        self.people = people
        self.vehicles = vehicles
    }

    public var isEmpty: Bool { alerts.isEmpty && incidents.isEmpty && people.isEmpty && vehicles.isEmpty }
}

/// A person (a watchlist subject id) or a vehicle (a plate) on a case.
public struct CaseParty: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public enum Kind: String, Sendable, Codable, CaseIterable { case person, vehicle }
    public static let databaseTableName = "caseParty"
    public var id: Int64?
    public var caseRecordId: Int64
    public var kind: Kind
    /// The subject id for a person; the normalised plate for a vehicle.
    public var reference: String
    public var name: String?
    public var addedAt: Date
    public var addedBy: String

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One written-once line of a case's journal: a note, or an attachment with its SHA-256.
/// `hash` chains it to the entry before it, so an edit made in the database is detected.
public struct CaseEntry: Sendable, Equatable, Codable, FetchableRecord, MutablePersistableRecord {
    public enum Kind: String, Sendable, Codable { case note, attachment }
    public static let databaseTableName = "caseEntry"
    public var id: Int64?
    public var caseRecordId: Int64
    /// 1, 2, 3... within the case.
    public var seq: Int
    public var kind: Kind
    public var author: String
    /// Milliseconds since 1970: an integer, so the hash is recomputed from exactly what was hashed.
    public var atMillis: Int64
    /// The note's text, or the attachment's description.
    public var body: String
    public var fileName: String?
    public var fileSHA256: String?
    public var fileSize: Int?
    public var previousHash: String
    public var hash: String

    public var at: Date { Date(timeIntervalSince1970: Double(atMillis) / 1000) }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct CaseAlertLink: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "caseAlert"
    var caseRecordId: Int64
    var alertId: Int64
    var linkedAt: Date
    var linkedBy: String
}

struct CaseIncidentLink: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "caseIncident"
    var caseRecordId: Int64
    var incidentId: Int64
    var linkedAt: Date
    var linkedBy: String
}

/// A case as `vigil cases show` and the API present it: the record, who and what is on it, its
/// journal, and alerts raised for its people or vehicles that are not linked yet.
public struct CaseFile: Sendable, Equatable, Codable {
    public var record: CaseRecord
    public var parties: [CaseParty]
    public var alerts: [Alert]
    public var incidents: [Incident]
    public var entries: [CaseEntry]
    /// Alerts for the case's subjects or plates (plates matched with up to one edit) not linked to it.
    public var relatedAlerts: [Alert]
}
