import Foundation
import GRDB
import VigilCore
import VigilPlates

/// The store's rows in SQLite, through GRDB's records, inside one of `VigilDatabase`'s
/// transactions: the watchlists' here, the alerts' and the outbox's in `SQLiteAlertRows.swift`.
struct SQLiteRows: StoreRows {
    let db: Database

    func watchlist(named name: String) throws -> WatchlistRecord? {
        try WatchlistRecord.filter(Column("name") == name).fetchOne(db)
    }

    func watchlists() throws -> [WatchlistRecord] { try WatchlistRecord.order(Column("name")).fetchAll(db) }
    func insert(_ watchlist: inout WatchlistRecord) throws { try watchlist.insert(db) }

    func setThreshold(_ threshold: Double, watchlist id: Int64) throws {
        try db.execute(sql: "UPDATE watchlist SET threshold = ? WHERE id = ?", arguments: [threshold, id])
    }

    func deleteWatchlist(id: Int64) throws { _ = try WatchlistRecord.deleteOne(db, key: id) }

    func subject(watchlist: Int64, externalID: String) throws -> SubjectRecord? {
        try SubjectRecord.filter(Column("watchlistId") == watchlist && Column("externalID") == externalID).fetchOne(db)
    }

    func subjects(watchlist: Int64) throws -> [SubjectRecord] {
        try SubjectRecord.filter(Column("watchlistId") == watchlist).order(Column("externalID")).fetchAll(db)
    }

    func subjectCount(watchlist: Int64) throws -> Int {
        try SubjectRecord.filter(Column("watchlistId") == watchlist).fetchCount(db)
    }

    func insert(_ subject: inout SubjectRecord) throws { try subject.insert(db) }

    func updateSubject(id: Int64, displayName: String, notes: String?) throws {
        try db.execute(sql: "UPDATE subject SET displayName = ?, notes = ? WHERE id = ?", arguments: [displayName, notes, id])
    }

    func deleteSubject(id: Int64) throws { _ = try SubjectRecord.deleteOne(db, key: id) }

    func enrolments(subject: Int64) throws -> [EnrolmentRecord] {
        try EnrolmentRecord.filter(Column("subjectId") == subject).order(Column("id")).fetchAll(db)
    }

    func enrolmentCount(subject: Int64) throws -> Int {
        try EnrolmentRecord.filter(Column("subjectId") == subject).fetchCount(db)
    }

    func enrolmentCount(watchlist: Int64) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM enrolment JOIN subject ON subject.id = enrolment.subjectId WHERE subject.watchlistId = ?
            """, arguments: [watchlist]) ?? 0
    }

    func hasEnrolment(subject: Int64, sha256: String) throws -> Bool {
        try EnrolmentRecord.filter(Column("subjectId") == subject && Column("imageSHA256") == sha256).fetchCount(db) > 0
    }

    func insert(_ enrolment: inout EnrolmentRecord) throws { try enrolment.insert(db) }

    func plateEntry(watchlist: Int64, plate: String) throws -> PlateEntryRecord? {
        try PlateEntryRecord.filter(Column("watchlistId") == watchlist && Column("plate") == plate).fetchOne(db)
    }

    func plateEntries(watchlist: Int64) throws -> [PlateEntryRecord] {
        try PlateEntryRecord.filter(Column("watchlistId") == watchlist).order(Column("plate")).fetchAll(db)
    }

    func plateCount(watchlist: Int64) throws -> Int {
        try PlateEntryRecord.filter(Column("watchlistId") == watchlist).fetchCount(db)
    }

    func insert(_ entry: inout PlateEntryRecord) throws { try entry.insert(db) }

    func setLabel(_ label: String?, plateEntry id: Int64) throws {
        try db.execute(sql: "UPDATE plateEntry SET label = ? WHERE id = ?", arguments: [label, id])
    }

    func deletePlateEntry(id: Int64) throws { _ = try PlateEntryRecord.deleteOne(db, key: id) }

    func append(_ entry: AuditRecord) throws {
        var entry = entry
        try entry.insert(db)
    }

    func audit(watchlist: String?, limit: Int) throws -> [AuditRecord] {
        var request = AuditRecord.order(Column("id").desc).limit(limit)
        if let watchlist { request = request.filter(Column("watchlist") == watchlist) }
        return try request.fetchAll(db)
    }

    func lastAuditID() throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT IFNULL(MAX(id), 0) FROM auditLog") ?? 0
    }

    func enrolmentImage(id: Int64) throws -> (path: String, sha256: String)? {
        try Row.fetchOne(db, sql: "SELECT sourcePath, imageSHA256 FROM enrolment WHERE id = ?", arguments: [id]).map { ($0[0], $0[1]) }
    }

    func faceEnrolments(watchlists names: [String]?) throws -> [EnrolledFace] {
        var sql = """
            SELECT enrolment.id, subject.externalID, subject.displayName, watchlist.name, watchlist.threshold,
                   enrolment.sourcePath, enrolment.encoding
            FROM enrolment
            JOIN subject ON subject.id = enrolment.subjectId
            JOIN watchlist ON watchlist.id = subject.watchlistId
            WHERE watchlist.kind = 'face'
            """
        var arguments: StatementArguments = []
        if let names {
            sql += " AND watchlist.name IN (\(names.map { _ in "?" }.joined(separator: ",")))"
            arguments = StatementArguments(names)
        }
        return try Row.fetchAll(db, sql: sql + " ORDER BY enrolment.id", arguments: arguments).compactMap { row in
            guard let encoding = EncodingBlob.encoding(row[6]) else { return nil }
            return EnrolledFace(enrolmentID: row[0], subjectID: row[1], subjectName: row[2], watchlist: row[3],
                                threshold: row[4], sourcePath: row[5], encoding: encoding)
        }
    }

    func plateEntries(watchlists names: [String]?) throws -> [PlateEntry] {
        var sql = """
            SELECT plateEntry.id, watchlist.name, watchlist.mode, plateEntry.plate, plateEntry.label, watchlist.maxEdits
            FROM plateEntry JOIN watchlist ON watchlist.id = plateEntry.watchlistId
            WHERE watchlist.kind = 'plate'
            """
        var arguments: StatementArguments = []
        if let names {
            sql += " AND watchlist.name IN (\(names.map { _ in "?" }.joined(separator: ",")))"
            arguments = StatementArguments(names)
        }
        return try Row.fetchAll(db, sql: sql + " ORDER BY plateEntry.id", arguments: arguments).map { row in
            PlateEntry(id: row[0], watchlist: row[1], mode: PlateListMode(rawValue: row[2]) ?? .deny, plate: row[3],
                       label: row[4], maxEdits: row[5])
        }
    }
}

/// `VigilDatabase`'s transactions, handing the operations SQLite rows. Nothing to announce: the
/// file has no other nodes (a daemon on the same file polls `watchlistGeneration`).
struct SQLiteTransactions: StoreTransactions {
    let database: VigilDatabase

    func write<T>(announcing topic: StoreTopic?, _ body: (any StoreRows) throws -> T) throws -> T {
        try database.write { db in try body(SQLiteRows(db: db)) }
    }

    func read<T>(_ body: (any StoreRows) throws -> T) throws -> T {
        try database.read { db in try body(SQLiteRows(db: db)) }
    }
}

/// The SQLite backend of every store API.
extension VigilDatabase: WatchlistStore, AlertStore, TokenStore, CameraStatusStore, CrimeStore {
    public var location: String { path }
    public var storeBackend: StoreBackend { StoreBackend(transactions: SQLiteTransactions(database: self)) }
}
