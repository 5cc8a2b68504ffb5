import Foundation
import Logging
import PostgresNIO
import VigilCore
import VigilPlates

/// The watchlist rows in PostgreSQL (migration `store-1-watchlists`).
extension PostgresRows {
    // MARK: Watchlists

    private static let watchlistColumns = "id, name, kind, threshold, createdAt, mode, maxEdits, region"

    private func watchlistRecords(_ query: PostgresQuery) throws -> [WatchlistRecord] {
        try rows(query).map { row in
            let (id, name, kind, threshold, createdAt, mode, maxEdits, region) =
                try row.decode((Int64, String, String, Double, Date, String, Int, String).self)
            return WatchlistRecord(id: id, name: name, kind: kind, threshold: threshold, createdAt: createdAt,
                                   mode: mode, maxEdits: maxEdits, region: region)
        }
    }

    func watchlist(named name: String) throws -> WatchlistRecord? {
        try watchlistRecords("SELECT \(unescaped: Self.watchlistColumns) FROM watchlist WHERE name = \(name)").first
    }

    func watchlists() throws -> [WatchlistRecord] {
        try watchlistRecords("SELECT \(unescaped: Self.watchlistColumns) FROM watchlist ORDER BY name COLLATE \"C\"")
    }

    func insert(_ watchlist: inout WatchlistRecord) throws {
        watchlist.id = try id("""
            INSERT INTO watchlist (name, kind, threshold, createdAt, mode, maxEdits, region)
            VALUES (\(watchlist.name), \(watchlist.kind), \(watchlist.threshold), \(watchlist.createdAt), \(watchlist.mode),
                    \(watchlist.maxEdits), \(watchlist.region))
            RETURNING id
            """)
    }

    func setThreshold(_ threshold: Double, watchlist id: Int64) throws {
        try execute("UPDATE watchlist SET threshold = \(threshold) WHERE id = \(id)")
    }

    func deleteWatchlist(id: Int64) throws { try execute("DELETE FROM watchlist WHERE id = \(id)") }

    // MARK: Subjects

    private func subjectRecords(_ query: PostgresQuery) throws -> [SubjectRecord] {
        try rows(query).map { row in
            let (id, watchlistId, externalID, displayName, notes, createdAt) =
                try row.decode((Int64, Int64, String, String, String?, Date).self)
            return SubjectRecord(id: id, watchlistId: watchlistId, externalID: externalID, displayName: displayName,
                                 notes: notes, createdAt: createdAt)
        }
    }

    func subject(watchlist: Int64, externalID: String) throws -> SubjectRecord? {
        try subjectRecords("""
            SELECT id, watchlistId, externalID, displayName, notes, createdAt FROM subject
            WHERE watchlistId = \(watchlist) AND externalID = \(externalID)
            """).first
    }

    func subjects(watchlist: Int64) throws -> [SubjectRecord] {
        try subjectRecords("""
            SELECT id, watchlistId, externalID, displayName, notes, createdAt FROM subject
            WHERE watchlistId = \(watchlist) ORDER BY externalID COLLATE "C"
            """)
    }

    func subjectCount(watchlist: Int64) throws -> Int {
        try count("SELECT COUNT(*) FROM subject WHERE watchlistId = \(watchlist)")
    }

    func insert(_ subject: inout SubjectRecord) throws {
        subject.id = try id("""
            INSERT INTO subject (watchlistId, externalID, displayName, notes, createdAt)
            VALUES (\(subject.watchlistId), \(subject.externalID), \(subject.displayName), \(subject.notes), \(subject.createdAt))
            RETURNING id
            """)
    }

    func updateSubject(id: Int64, displayName: String, notes: String?) throws {
        try execute("UPDATE subject SET displayName = \(displayName), notes = \(notes) WHERE id = \(id)")
    }

    func deleteSubject(id: Int64) throws { try execute("DELETE FROM subject WHERE id = \(id)") }

    // MARK: Enrolments

    func enrolments(subject: Int64) throws -> [EnrolmentRecord] {
        try rows("""
            SELECT id, subjectId, imageSHA256, sourcePath, encoding, boxX, boxY, boxWidth, boxHeight, detector, createdAt
            FROM enrolment WHERE subjectId = \(subject) ORDER BY id
            """).map { row in
            let (id, subjectId, sha256, sourcePath, encoding, x, y, width, height, detector, createdAt) =
                try row.decode((Int64, Int64, String, String, Data, Int, Int, Int, Int, String, Date).self)
            return EnrolmentRecord(id: id, subjectId: subjectId, imageSHA256: sha256, sourcePath: sourcePath, encoding: encoding,
                                   boxX: x, boxY: y, boxWidth: width, boxHeight: height, detector: detector, createdAt: createdAt)
        }
    }

    func enrolmentCount(subject: Int64) throws -> Int {
        try count("SELECT COUNT(*) FROM enrolment WHERE subjectId = \(subject)")
    }

    func enrolmentCount(watchlist: Int64) throws -> Int {
        try count("""
            SELECT COUNT(*) FROM enrolment JOIN subject ON subject.id = enrolment.subjectId WHERE subject.watchlistId = \(watchlist)
            """)
    }

    func hasEnrolment(subject: Int64, sha256: String) throws -> Bool {
        try count("SELECT COUNT(*) FROM enrolment WHERE subjectId = \(subject) AND imageSHA256 = \(sha256)") > 0
    }

    func insert(_ enrolment: inout EnrolmentRecord) throws {
        enrolment.id = try id("""
            INSERT INTO enrolment (subjectId, imageSHA256, sourcePath, encoding, boxX, boxY, boxWidth, boxHeight, detector, createdAt)
            VALUES (\(enrolment.subjectId), \(enrolment.imageSHA256), \(enrolment.sourcePath), \(enrolment.encoding),
                    \(enrolment.boxX), \(enrolment.boxY), \(enrolment.boxWidth), \(enrolment.boxHeight), \(enrolment.detector),
                    \(enrolment.createdAt))
            RETURNING id
            """)
    }

    // MARK: Plate entries

    private func plateRecords(_ query: PostgresQuery) throws -> [PlateEntryRecord] {
        try rows(query).map { row in
            let (id, watchlistId, plate, label, createdAt) = try row.decode((Int64, Int64, String, String?, Date).self)
            return PlateEntryRecord(id: id, watchlistId: watchlistId, plate: plate, label: label, createdAt: createdAt)
        }
    }

    func plateEntry(watchlist: Int64, plate: String) throws -> PlateEntryRecord? {
        try plateRecords("""
            SELECT id, watchlistId, plate, label, createdAt FROM plateEntry WHERE watchlistId = \(watchlist) AND plate = \(plate)
            """).first
    }

    func plateEntries(watchlist: Int64) throws -> [PlateEntryRecord] {
        try plateRecords("""
            SELECT id, watchlistId, plate, label, createdAt FROM plateEntry WHERE watchlistId = \(watchlist) ORDER BY plate COLLATE "C"
            """)
    }

    func plateCount(watchlist: Int64) throws -> Int {
        try count("SELECT COUNT(*) FROM plateEntry WHERE watchlistId = \(watchlist)")
    }

    func insert(_ entry: inout PlateEntryRecord) throws {
        entry.id = try id("""
            INSERT INTO plateEntry (watchlistId, plate, label, createdAt)
            VALUES (\(entry.watchlistId), \(entry.plate), \(entry.label), \(entry.createdAt)) RETURNING id
            """)
    }

    func setLabel(_ label: String?, plateEntry id: Int64) throws {
        try execute("UPDATE plateEntry SET label = \(label) WHERE id = \(id)")
    }

    func deletePlateEntry(id: Int64) throws { try execute("DELETE FROM plateEntry WHERE id = \(id)") }

    // MARK: Audit

    func append(_ entry: AuditRecord) throws {
        try execute("""
            INSERT INTO auditLog (at, actor, action, watchlist, subject, detail)
            VALUES (\(entry.at), \(entry.actor), \(entry.action), \(entry.watchlist), \(entry.subject), \(entry.detail))
            """)
    }

    func audit(watchlist: String?, limit: Int) throws -> [AuditRecord] {
        try rows("""
            SELECT id, at, actor, action, watchlist, subject, detail FROM auditLog
            WHERE \(watchlist)::text IS NULL OR watchlist = \(watchlist) ORDER BY id DESC LIMIT \(limit)
            """).map { row in
            let (id, at, actor, action, watchlist, subject, detail) =
                try row.decode((Int64, Date, String, String, String?, String?, String?).self)
            return AuditRecord(id: id, at: at, actor: actor, action: action, watchlist: watchlist, subject: subject, detail: detail)
        }
    }

    func lastAuditID() throws -> Int64 {
        try rows("SELECT coalesce(max(id), 0)::int8 FROM auditLog").first.map { try $0.decode(Int64.self) } ?? 0
    }

    func enrolmentImage(id: Int64) throws -> (path: String, sha256: String)? {
        try rows("SELECT sourcePath, imageSHA256 FROM enrolment WHERE id = \(id)").first.map { try $0.decode((String, String).self) }
    }

    // MARK: The matchers' views

    func faceEnrolments(watchlists names: [String]?) throws -> [EnrolledFace] {
        try rows("""
            SELECT enrolment.id, subject.externalID, subject.displayName, watchlist.name, watchlist.threshold,
                   enrolment.sourcePath, enrolment.encoding
            FROM enrolment
            JOIN subject ON subject.id = enrolment.subjectId
            JOIN watchlist ON watchlist.id = subject.watchlistId
            WHERE watchlist.kind = 'face' AND (\(names)::text[] IS NULL OR watchlist.name = ANY(\(names)))
            ORDER BY enrolment.id
            """).compactMap { row in
            let (id, subjectID, subjectName, watchlist, threshold, sourcePath, blob) =
                try row.decode((Int64, String, String, String, Double, String, Data).self)
            guard let encoding = EncodingBlob.encoding(blob) else { return nil }
            return EnrolledFace(enrolmentID: id, subjectID: subjectID, subjectName: subjectName, watchlist: watchlist,
                                threshold: threshold, sourcePath: sourcePath, encoding: encoding)
        }
    }

    func plateEntries(watchlists names: [String]?) throws -> [PlateEntry] {
        try rows("""
            SELECT plateEntry.id, watchlist.name, watchlist.mode, plateEntry.plate, plateEntry.label, watchlist.maxEdits
            FROM plateEntry JOIN watchlist ON watchlist.id = plateEntry.watchlistId
            WHERE watchlist.kind = 'plate' AND (\(names)::text[] IS NULL OR watchlist.name = ANY(\(names)))
            ORDER BY plateEntry.id
            """).map { row in
            let (id, watchlist, mode, plate, label, maxEdits) = try row.decode((Int64, String, String, String, String?, Int).self)
            return PlateEntry(id: id, watchlist: watchlist, mode: PlateListMode(rawValue: mode) ?? .deny, plate: plate,
                              label: label, maxEdits: maxEdits)
        }
    }
}
