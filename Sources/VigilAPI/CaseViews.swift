import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// A case as the API returns it (snake_case JSON).
struct CaseView: Codable, Sendable {
    var id: Int64
    var title: String
    var type: String
    var status: String
    var assignee: String?
    var area: String?
    var createdAt: Date
    var createdBy: String
    var updatedAt: Date
    var closedAt: Date?

    init(_ r: CaseRecord) {
        id = r.id ?? 0
        title = r.title
        type = r.type
        status = r.status.rawValue
        assignee = r.assignee
        area = r.area
        createdAt = r.createdAt
        createdBy = r.createdBy
        updatedAt = r.updatedAt
        closedAt = r.closedAt
    }
}

/// One journal entry; an attachment has the URL it is served from.
struct CaseEntryView: Codable, Sendable {
    var seq: Int
    var kind: String
    var author: String
    var at: Date
    var text: String
    var fileName: String?
    var fileSha256: String?
    var fileSize: Int?
    var fileUrl: String?
    var previousHash: String
    var hash: String

    init(_ e: CaseEntry) {
        seq = e.seq
        kind = e.kind.rawValue
        author = e.author
        at = e.at
        text = e.body
        fileName = e.fileName
        fileSha256 = e.fileSHA256
        fileSize = e.fileSize
        fileUrl = e.kind == .attachment ? "/v1/cases/\(e.caseRecordId)/attachments/\(e.seq)" : nil
        previousHash = e.previousHash
        hash = e.hash
    }
}

struct CasePartyView: Codable, Sendable {
    var kind: String
    var reference: String
    var name: String?
    var addedAt: Date
    var addedBy: String
}

/// A whole case: who and what is on it, its journal, and alerts (with their evidence URLs).
struct CaseFileView: Codable, Sendable {
    var `case`: CaseView
    var people: [CasePartyView]
    var vehicles: [CasePartyView]
    var alerts: [AlertView]
    var incidents: [Incident]
    var entries: [CaseEntryView]
    /// Alerts raised for the case's people or vehicles that are not linked to it.
    var relatedAlerts: [AlertView]

    init(_ f: CaseFile) {
        `case` = CaseView(f.record)
        let parties = f.parties.map { CasePartyView(kind: $0.kind.rawValue, reference: $0.reference, name: $0.name, addedAt: $0.addedAt, addedBy: $0.addedBy) }
        people = parties.filter { $0.kind == "person" }
        vehicles = parties.filter { $0.kind == "vehicle" }
        alerts = f.alerts.map(AlertView.init)
        incidents = f.incidents
        entries = f.entries.map(CaseEntryView.init)
        relatedAlerts = f.relatedAlerts.map(AlertView.init)
    }
}

/// What `POST /v1/cases` and `PATCH /v1/cases/{id}` accept.
struct CaseInput: Decodable, Sendable {
    var title: String?
    var type: String?
    var status: String?
    var assignee: String?
    var area: String?
    /// `POST` only: open the case from this alert (its evidence and subject or plate are linked).
    var alert: Int64?
}

struct CaseNoteInput: Decodable, Sendable { var text: String }

struct CaseLinksInput: Decodable, Sendable {
    struct Person: Decodable, Sendable { var subjectId: String; var name: String? }
    var alerts: [Int64]?
    var incidents: [Int64]?
    var people: [Person]?
    var vehicles: [String]?
}

struct CaseVerificationView: Codable, Sendable {
    var `case`: Int64
    var entries: Int
    var intact: Bool
    var problems: [String]
}

extension CaseView: ResponseEncodable {}
extension CaseFileView: ResponseEncodable {}
extension CaseEntryView: ResponseEncodable {}
extension CaseVerificationView: ResponseEncodable {}
