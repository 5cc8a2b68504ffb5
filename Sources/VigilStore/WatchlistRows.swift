import Foundation
import VigilCore
import VigilPlates

/// The row-level reads and writes the watchlist intents are made of, inside one transaction.
///
/// Each backend implements these in its own dialect (`SQLiteRows` with GRDB,
/// `PostgresRows` with postgres-nio). What an intent means (validation, duplicate
/// checks, which audit lines it writes) lives once, in `WatchlistIntents`.
protocol WatchlistRows: AuditRows {
    func watchlist(named name: String) throws -> WatchlistRecord?
    /// Ordered by name.
    func watchlists() throws -> [WatchlistRecord]
    func insert(_ watchlist: inout WatchlistRecord) throws
    func setThreshold(_ threshold: Double, watchlist id: Int64) throws
    /// Deletes the watchlist with its subjects, enrolments and plate entries.
    func deleteWatchlist(id: Int64) throws

    func subject(watchlist: Int64, externalID: String) throws -> SubjectRecord?
    /// Ordered by external id.
    func subjects(watchlist: Int64) throws -> [SubjectRecord]
    func subjectCount(watchlist: Int64) throws -> Int
    func insert(_ subject: inout SubjectRecord) throws
    func updateSubject(id: Int64, displayName: String, notes: String?) throws
    /// Deletes the subject with its enrolments (their encodings are biometric data).
    func deleteSubject(id: Int64) throws

    /// Ordered by id.
    func enrolments(subject: Int64) throws -> [EnrolmentRecord]
    func enrolmentCount(subject: Int64) throws -> Int
    func enrolmentCount(watchlist: Int64) throws -> Int
    func hasEnrolment(subject: Int64, sha256: String) throws -> Bool
    func insert(_ enrolment: inout EnrolmentRecord) throws

    func plateEntry(watchlist: Int64, plate: String) throws -> PlateEntryRecord?
    /// Ordered by plate.
    func plateEntries(watchlist: Int64) throws -> [PlateEntryRecord]
    func plateCount(watchlist: Int64) throws -> Int
    func insert(_ entry: inout PlateEntryRecord) throws
    func setLabel(_ label: String?, plateEntry id: Int64) throws
    func deletePlateEntry(id: Int64) throws

    /// Newest first.
    func audit(watchlist: String?, limit: Int) throws -> [AuditRecord]
    /// The newest audit line's id (0 for none).
    func lastAuditID() throws -> Int64
    /// An enrolment's image path and SHA-256, if it still exists.
    func enrolmentImage(id: Int64) throws -> (path: String, sha256: String)?

    /// The matchers' views, one join each: face enrolments of face watchlists, in enrolment order
    /// (all when `names` is nil), and plate entries of plate watchlists, in entry order.
    func faceEnrolments(watchlists names: [String]?) throws -> [EnrolledFace]
    func plateEntries(watchlists names: [String]?) throws -> [PlateEntry]
}

