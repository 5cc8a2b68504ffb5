import Foundation
import GRDB
import VigilCore

/// A watchlist as listed to operators.
public struct WatchlistSummary: Sendable, Codable, Equatable {
    public var name: String
    /// `face` or `plate`.
    public var kind: String
    /// Face watchlists: the distance a match must be within.
    public var threshold: Double
    public var subjects: Int
    public var enrolments: Int
    public var createdAt: Date
    /// Plate watchlists: `deny` (alert) or `allow` (never alert), edits tolerated, region, entries.
    public var mode: String?
    public var maxEdits: Int?
    public var region: String?
    public var plates: Int?
}

public struct SubjectSummary: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var notes: String?
    public var enrolments: [EnrolmentSummary]
}

public struct EnrolmentSummary: Sendable, Codable, Equatable {
    public var id: Int64
    public var sha256: String
    public var sourcePath: String
    public var box: BoundingBox
    public var detector: String
    public var createdAt: Date
}

public struct WatchlistDetail: Sendable, Codable, Equatable {
    public var watchlist: WatchlistSummary
    public var subjects: [SubjectSummary]
    /// Plate watchlists' entries (empty for face watchlists).
    public var plates: [PlateEntrySummary] = []
}

/// Who is being enrolled.
public struct SubjectInput: Sendable, Equatable {
    public var id: String
    public var displayName: String?
    public var notes: String?

    public init(id: String, displayName: String? = nil, notes: String? = nil) {
        self.id = id
        self.displayName = displayName
        self.notes = notes
    }
}

/// One enrolment image, already checked (exactly one face) and encoded.
public struct NewEnrolment: Sendable, Equatable {
    public var sha256: String
    public var sourcePath: String
    public var encoding: FaceEncoding
    public var box: BoundingBox
    public var detector: String

    public init(sha256: String, sourcePath: String, encoding: FaceEncoding, box: BoundingBox, detector: String) {
        self.sha256 = sha256
        self.sourcePath = sourcePath
        self.encoding = encoding
        self.box = box
        self.detector = detector
    }
}

public struct EnrolOutcome: Sendable, Equatable {
    public var subjectCreated: Bool
    /// Source paths stored now.
    public var added: [String]
    /// Source paths whose image (same SHA-256) this subject already had.
    public var alreadyEnrolled: [String]
}

extension VigilDatabase {
    // MARK: Intents

    public func createWatchlist(name: String, threshold: Double = 0.6, actor: String) throws -> WatchlistSummary {
        try Validation.name(name, kind: "watchlist name")
        try Validation.threshold(threshold)
        return try write { db in
            if try WatchlistRecord.filter(Column("name") == name).fetchCount(db) > 0 {
                throw StoreError.watchlistExists(name)
            }
            return try summary(db, try insertWatchlist(db, name: name, threshold: threshold, actor: actor, detail: [:]))
        }
    }

    /// Enrols images for a subject (created if new), all in one transaction.
    public func enrol(watchlist: String, subject: SubjectInput, images: [NewEnrolment], actor: String) throws
        -> EnrolOutcome {
        try Validation.subject(subject)
        return try write { db in
            let list = try existingWatchlist(db, watchlist)
            guard list.kind == "face" else { throw StoreError.wrongKind(watchlist: watchlist, kind: list.kind, operation: "enrol faces") }
            return try enrol(db, list: list, subject: subject, images: images, actor: actor)
        }
    }

    /// Imports a whole watchlist definition in one transaction: the watchlist is
    /// created when missing, subjects and images are added. Nothing is stored if
    /// any part fails.
    public func importWatchlist(name: String, threshold: Double?, subjects: [(SubjectInput, [NewEnrolment])],
                                actor: String) throws -> [String: EnrolOutcome] {
        try Validation.name(name, kind: "watchlist name")
        if let threshold { try Validation.threshold(threshold) }
        for (subject, _) in subjects { try Validation.subject(subject) }
        return try write { db in
            var list: WatchlistRecord
            if let existing = try WatchlistRecord.filter(Column("name") == name).fetchOne(db) {
                guard existing.kind == "face" else { throw StoreError.wrongKind(watchlist: name, kind: existing.kind, operation: "import faces") }
                list = existing
                if let threshold, threshold != existing.threshold {
                    list.threshold = threshold
                    try list.update(db)
                    try Audit.append(db, actor: actor, action: "watchlist.threshold", watchlist: name,
                                     detail: ["from": existing.threshold, "to": threshold])
                }
            } else {
                list = try insertWatchlist(db, name: name, threshold: threshold ?? 0.6, actor: actor, detail: ["via": "import"])
            }
            var outcomes: [String: EnrolOutcome] = [:]
            for (subject, images) in subjects {
                outcomes[subject.id] = try enrol(db, list: list, subject: subject, images: images, actor: actor)
            }
            return outcomes
        }
    }

    /// Deletes a watchlist with its subjects and their encodings (biometric data is not kept).
    public func removeWatchlist(name: String, actor: String) throws {
        try write { db in
            let list = try existingWatchlist(db, name)
            let subjects = try SubjectRecord.filter(Column("watchlistId") == list.id).fetchCount(db)
            try WatchlistRecord.deleteOne(db, key: list.id)
            try Audit.append(db, actor: actor, action: "watchlist.remove", watchlist: name,
                             detail: ["subjects": subjects])
        }
    }

    /// Deletes one subject with all of their enrolment encodings.
    public func removeSubject(watchlist: String, subject: String, actor: String) throws {
        try write { db in
            let list = try existingWatchlist(db, watchlist)
            guard let record = try SubjectRecord
                .filter(Column("watchlistId") == list.id && Column("externalID") == subject).fetchOne(db) else {
                throw StoreError.subjectNotFound(watchlist: watchlist, subject: subject)
            }
            let images = try EnrolmentRecord.filter(Column("subjectId") == record.id).fetchCount(db)
            try SubjectRecord.deleteOne(db, key: record.id)
            try Audit.append(db, actor: actor, action: "subject.remove", watchlist: watchlist, subject: subject,
                             detail: ["enrolments": images])
        }
    }

    // MARK: Queries

    public func watchlists() throws -> [WatchlistSummary] {
        try read { db in try WatchlistRecord.order(Column("name")).fetchAll(db).map { try summary(db, $0) } }
    }

    public func watchlist(named name: String) throws -> WatchlistDetail {
        try read { db in
            let list = try existingWatchlist(db, name)
            let subjects = try SubjectRecord.filter(Column("watchlistId") == list.id).order(Column("externalID"))
                .fetchAll(db)
            let details = try subjects.map { subject in
                let images = try EnrolmentRecord.filter(Column("subjectId") == subject.id).order(Column("id"))
                    .fetchAll(db)
                return SubjectSummary(id: subject.externalID, name: subject.displayName, notes: subject.notes,
                                      enrolments: images.map(EnrolmentSummary.init))
            }
            let plates = try PlateEntryRecord.filter(Column("watchlistId") == list.id).order(Column("plate")).fetchAll(db)
            return WatchlistDetail(watchlist: try summary(db, list), subjects: details, plates: plates.map(PlateEntrySummary.init))
        }
    }

    // MARK: Helpers (inside a transaction)

    func existingWatchlist(_ db: Database, _ name: String) throws -> WatchlistRecord {
        guard let list = try WatchlistRecord.filter(Column("name") == name).fetchOne(db) else {
            throw StoreError.watchlistNotFound(name)
        }
        return list
    }

    /// Creates a face watchlist and its audit line, inside the caller's transaction.
    private func insertWatchlist(_ db: Database, name: String, threshold: Double, actor: String,
                                 detail: [String: any Sendable]) throws -> WatchlistRecord {
        var record = WatchlistRecord(id: nil, name: name, kind: "face", threshold: threshold, createdAt: Date())
        try record.insert(db)
        try Audit.append(db, actor: actor, action: "watchlist.create", watchlist: name,
                         detail: detail.merging(["threshold": threshold]) { current, _ in current })
        return record
    }

    func summary(_ db: Database, _ list: WatchlistRecord) throws -> WatchlistSummary {
        let subjects = try SubjectRecord.filter(Column("watchlistId") == list.id).fetchCount(db)
        let enrolments = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM enrolment JOIN subject ON subject.id = enrolment.subjectId
            WHERE subject.watchlistId = ?
            """, arguments: [list.id]) ?? 0
        let isPlate = list.kind == "plate"
        let plates = isPlate ? try PlateEntryRecord.filter(Column("watchlistId") == list.id).fetchCount(db) : nil
        return WatchlistSummary(name: list.name, kind: list.kind, threshold: list.threshold, subjects: subjects,
                                enrolments: enrolments, createdAt: list.createdAt, mode: isPlate ? list.mode : nil,
                                maxEdits: isPlate ? list.maxEdits : nil, region: isPlate ? list.region : nil, plates: plates)
    }

    private func enrol(_ db: Database, list: WatchlistRecord, subject: SubjectInput, images: [NewEnrolment],
                       actor: String) throws -> EnrolOutcome {
        var created = false
        var record: SubjectRecord
        if let existing = try SubjectRecord
            .filter(Column("watchlistId") == list.id && Column("externalID") == subject.id).fetchOne(db) {
            record = existing
            let name = subject.displayName ?? existing.displayName, notes = subject.notes ?? existing.notes
            if name != existing.displayName || notes != existing.notes {
                record.displayName = name
                record.notes = notes
                try record.update(db)
                try Audit.append(db, actor: actor, action: "subject.update", watchlist: list.name,
                                 subject: subject.id, detail: ["name": name, "notes": notes ?? ""])
            }
        } else {
            record = SubjectRecord(id: nil, watchlistId: list.id!, externalID: subject.id,
                                   displayName: subject.displayName ?? subject.id, notes: subject.notes,
                                   createdAt: Date())
            try record.insert(db)
            created = true
            try Audit.append(db, actor: actor, action: "subject.create", watchlist: list.name, subject: subject.id,
                             detail: ["name": record.displayName])
        }
        var added: [String] = [], duplicates: [String] = [], seen: Set<String> = []
        for image in images {
            let known = try EnrolmentRecord
                .filter(Column("subjectId") == record.id && Column("imageSHA256") == image.sha256).fetchCount(db) > 0
            if known || !seen.insert(image.sha256).inserted {
                duplicates.append(image.sourcePath)
                continue
            }
            var row = EnrolmentRecord(
                id: nil, subjectId: record.id!, imageSHA256: image.sha256, sourcePath: image.sourcePath,
                encoding: EncodingBlob.data(image.encoding), boxX: image.box.x, boxY: image.box.y,
                boxWidth: image.box.width, boxHeight: image.box.height, detector: image.detector, createdAt: Date())
            try row.insert(db)
            added.append(image.sourcePath)
            try Audit.append(db, actor: actor, action: "enrolment.add", watchlist: list.name, subject: subject.id,
                             detail: ["image": image.sourcePath, "sha256": image.sha256])
        }
        return EnrolOutcome(subjectCreated: created, added: added, alreadyEnrolled: duplicates)
    }
}

extension EnrolmentSummary {
    init(_ record: EnrolmentRecord) {
        self.init(id: record.id ?? 0, sha256: record.imageSHA256, sourcePath: record.sourcePath,
                  box: BoundingBox(x: record.boxX, y: record.boxY, width: record.boxWidth, height: record.boxHeight),
                  detector: record.detector, createdAt: record.createdAt)
    }
}
